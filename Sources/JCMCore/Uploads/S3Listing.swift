/// One page of an S3 ListObjectsV2 reply (`GET /bucket/?list-type=2`): the objects, and the
/// token of the next page when the listing is truncated.
public struct S3ListingPage: Sendable, Equatable {
    public var entries: [UploadEntry]
    public var nextContinuationToken: String?

    /// `bucketURL` is the path-style bucket (`https://endpoint/bucket/`) the object URLs are
    /// built from; `listingURL` (redacted) names the page in errors.
    public static func parse(_ body: [UInt8], bucketURL: String, listingURL: String) throws(UploadListingError)
        -> S3ListingPage
    {
        let root: MiniXMLElement
        do {
            root = try MiniXML.parse(body)
        } catch {
            throw UploadListingError(url: listingURL, message: "not well-formed XML: \(error)")
        }
        if root.name == "Error" {
            let code = root.child("Code")?.text ?? "?"
            let message = root.child("Message")?.text ?? ""
            throw UploadListingError(url: listingURL, message: "S3 error \(code): \(message)")
        }
        guard root.name == "ListBucketResult" else {
            throw UploadListingError(url: listingURL, message: "expected <ListBucketResult>, found <\(root.name)>")
        }
        var entries: [UploadEntry] = []
        for (i, contents) in root.all("Contents").enumerated() {
            guard let key = contents.child("Key")?.text, !key.isEmpty else {
                throw UploadListingError(url: listingURL, message: "<Contents> \(i + 1) has no <Key>")
            }
            var version = UploadVersion(
                etag: contents.child("ETag")?.text, modified: contents.child("LastModified")?.text)
            if let size = contents.child("Size") {
                guard let n = Int64(size.text.trimmingXMLSpace), n >= 0 else {
                    throw UploadListingError(
                        url: listingURL,
                        message: "<Contents> \(i + 1) (\(key)): <Size> \"\(size.text)\" is not a number of bytes")
                }
                version.size = n
            }
            // A key ending in "/" is a folder placeholder made by consoles, not a file.
            // Named by the whole key: a/report.csv and b/report.csv are two files.
            guard !key.hasSuffix("/"), let last = key.split(separator: "/").last, last != ".", last != ".." else {
                continue
            }
            let name = key.split(separator: "/").joined(separator: "_")
            entries.append(
                UploadEntry(
                    name: name, key: key, url: UploadURL.s3Object(bucketURL: bucketURL, key: key), version: version))
        }
        var next: String?
        switch root.child("IsTruncated")?.text.trimmingXMLSpace {
        case "true"?:
            guard let token = root.child("NextContinuationToken")?.text, !token.isEmpty else {
                throw UploadListingError(
                    url: listingURL, message: "<IsTruncated> is true but there is no <NextContinuationToken>")
            }
            next = token
        case "false"?, nil: next = nil
        case let other?:
            throw UploadListingError(url: listingURL, message: "<IsTruncated> is \"\(other)\", not true or false")
        }
        return S3ListingPage(entries: entries, nextContinuationToken: next)
    }
}

extension String {
    /// Line breaks too: XML text is often indented.
    var trimmingXMLSpace: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
