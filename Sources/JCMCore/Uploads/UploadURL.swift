/// Building the URLs of listed files. Percent-encoding follows RFC 3986's unreserved set, which
/// is also what AWS Signature V4 requires of a canonical URI and query: libcurl signs the URL as
/// given, so it must already be in canonical form.
public enum UploadURL {
    /// `A-Z a-z 0-9 - . _ ~` stay; every other byte of the UTF-8 is %XX (uppercase hex).
    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 15)]))
            }
        }
        return out
    }

    /// %XX decoded (as UTF-8); nil when an escape is broken or the bytes are not UTF-8.
    public static func decode(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var it = Array(text.utf8)[...]
        while let b = it.popFirst() {
            guard b == UInt8(ascii: "%") else {
                bytes.append(b)
                continue
            }
            guard it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(v)
            it = it.dropFirst(2)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The listing URL without its query or fragment, ending with "/": the folder files are
    /// resolved against.
    public static func folder(of listing: String) -> String {
        var base = String(listing.prefix { $0 != "?" && $0 != "#" })
        if !base.hasSuffix("/") { base += "/" }
        return base
    }

    /// S3 ListObjectsV2, path-style (`https://endpoint/bucket/`). Parameters in canonical order
    /// (sorted by name) and encoding, so the URL sent is the URL signed.
    public static func s3List(bucketURL: String, prefix: String?, continuationToken: String?) -> String {
        var params: [(String, String)] = [("list-type", "2")]
        if let continuationToken { params.append(("continuation-token", continuationToken)) }
        if let prefix, !prefix.isEmpty { params.append(("prefix", prefix)) }
        params.sort { $0.0 < $1.0 }
        return folder(of: bucketURL) + "?" + params.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// An object of a path-style bucket URL. S3 does not encode a key's slashes in the
    /// canonical URI, so neither is it done here.
    public static func s3Object(bucketURL: String, key: String) -> String {
        folder(of: bucketURL) + encode(key, keepSlash: true)
    }
}
