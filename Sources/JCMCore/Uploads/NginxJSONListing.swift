/// nginx's `autoindex_format json;`: an array of `{"name", "type", "mtime", "size"}`. Folders
/// (type "directory") and anything that is not a regular file (type "other") are not reports.
public enum NginxJSONListing {
    public static func parse(_ body: [UInt8], listingURL: String) throws(UploadListingError) -> [UploadEntry] {
        let value: JSONValue
        do {
            value = try JSON.parse(body)
        } catch {
            throw UploadListingError(
                url: listingURL, message: "not JSON (\(error)); is the location's autoindex_format json?")
        }
        guard let items = value.arrayValue else {
            throw UploadListingError(
                url: listingURL, message: "expected a JSON array of entries, as nginx's autoindex_format json writes")
        }
        let folder = UploadURL.folder(of: listingURL)
        var entries: [UploadEntry] = []
        for (i, item) in items.enumerated() {
            guard item.objectValue != nil else {
                throw UploadListingError(url: listingURL, message: "entry \(i + 1) is not an object")
            }
            guard let name = item["name"]?.stringValue, !name.isEmpty else {
                throw UploadListingError(url: listingURL, message: "entry \(i + 1) has no \"name\" string")
            }
            guard let type = item["type"]?.stringValue else {
                throw UploadListingError(url: listingURL, message: "entry \(i + 1) (\(name)) has no \"type\" string")
            }
            guard type == "file", name != ".", name != "..", !name.contains("/") else { continue }
            var version = UploadVersion(modified: item["mtime"]?.stringValue)
            if let size = item["size"] {
                guard let literal = size.numberLiteral, let n = Int64(literal), n >= 0 else {
                    throw UploadListingError(
                        url: listingURL, message: "entry \(i + 1) (\(name)): \"size\" is not a whole number of bytes")
                }
                version.size = n
            }
            entries.append(UploadEntry(name: name, key: name, url: folder + UploadURL.encode(name), version: version))
        }
        return entries
    }
}
