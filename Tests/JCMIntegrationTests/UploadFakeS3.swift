import Crypto
import Foundation
import JCMDaemon

/// An S3-compatible endpoint for the tests: path-style ListObjectsV2 and GetObject on one
/// bucket, every request's AWS Signature V4 recomputed here from what arrived (canonical
/// request, string to sign, signing key) and refused with 403 when it does not match. So a
/// passing test proves libcurl signed with the right key, region, service, date and payload hash.
final class UploadFakeS3: @unchecked Sendable {
    let bucket = "reports"
    let region = "eu-west-1"
    let accessKeyID = "AKIDEXAMPLE"
    let secretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    /// Keys per page, small so that listings span pages.
    let pageSize = 2

    private let lock = NSLock()
    private var objects: [String: (body: [UInt8], modified: String)] = [:]
    private var gets: [String: Int] = [:]
    private(set) var refusals: [String] = []
    private var server: HTTPServer!

    var port: UInt16 { server.port }
    var bucketURL: String { "http://127.0.0.1:\(port)/\(bucket)/" }

    init() throws {
        server = try HTTPServer(host: "127.0.0.1", port: 0) { [unowned self] request in handle(request) }
        server.start()
    }

    func stop() { server.stop() }

    func put(_ key: String, _ text: String, modified: String = "2026-12-02T10:00:00.000Z") {
        lock.withLock { objects[key] = (Array(text.utf8), modified) }
    }

    /// GetObject requests answered with 200, by key.
    func downloads(_ key: String) -> Int { lock.withLock { gets[key] ?? 0 } }
    var refused: [String] { lock.withLock { refusals } }

    private func handle(_ request: HTTPRequest) -> HTTPResponse {
        if let why = verify(request) {
            lock.withLock { refusals.append(why) }
            return error(403, "SignatureDoesNotMatch", why)
        }
        let prefix = "/\(bucket)/"
        guard request.method == "GET", request.path.hasPrefix(prefix) || request.path == "/\(bucket)" else {
            return error(404, "NoSuchBucket", request.path)
        }
        let keyPart = request.path.dropFirst(min(prefix.count, request.path.count))
        if keyPart.isEmpty { return list(Self.queryItems(request.query ?? "")) }
        guard let key = Self.decode(String(keyPart)), let object = lock.withLock({ objects[key] }) else {
            return error(404, "NoSuchKey", String(keyPart))
        }
        lock.withLock { gets[key, default: 0] += 1 }
        return HTTPResponse(
            status: 200, headers: [("ETag", Self.etag(object.body)), ("Content-Type", "text/csv")], body: object.body)
    }

    private func list(_ query: [(String, String)]) -> HTTPResponse {
        let q = Dictionary(query, uniquingKeysWith: { a, _ in a })
        guard q["list-type"] == "2" else { return error(400, "InvalidArgument", "only ListObjectsV2") }
        let prefix = q["prefix"] ?? ""
        let all = lock.withLock { objects }.filter { $0.key.hasPrefix(prefix) }.sorted { $0.key < $1.key }
        // The token names the index of the next key; odd characters prove it is encoded right.
        var start = 0
        if let token = q["continuation-token"] {
            guard token.hasPrefix("page/"), token.hasSuffix("+=="), let n = Int(token.dropFirst(5).dropLast(3)) else {
                return error(400, "InvalidArgument", "bad token \(token)")
            }
            start = n
        }
        let page = all.dropFirst(start).prefix(pageSize)
        let truncated = start + page.count < all.count
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>\(bucket)</Name><Prefix>\(Self.xmlEscape(prefix))</Prefix>\
            <KeyCount>\(page.count)</KeyCount><MaxKeys>\(pageSize)</MaxKeys><IsTruncated>\(truncated)</IsTruncated>
            """
        for (key, object) in page {
            xml +=
                "<Contents><Key>\(Self.xmlEscape(key))</Key><LastModified>\(object.modified)</LastModified>"
                + "<ETag>\(Self.xmlEscape(Self.etag(object.body)))</ETag><Size>\(object.body.count)</Size><StorageClass>STANDARD</StorageClass></Contents>"
        }
        if truncated { xml += "<NextContinuationToken>page/\(start + page.count)+==</NextContinuationToken>" }
        xml += "</ListBucketResult>"
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/xml")], body: Array(xml.utf8))
    }

    private func error(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
        let xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(code)</Code><Message>\(Self.xmlEscape(message))</Message></Error>"
        return HTTPResponse(status: status, headers: [("Content-Type", "application/xml")], body: Array(xml.utf8))
    }

    // MARK: Signature V4, as AWS documents it ("Create a signed AWS API request").

    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// nil when the request is signed right; otherwise why not.
    func verify(_ r: HTTPRequest) -> String? {
        guard let auth = r.header("authorization") else { return "no Authorization header" }
        guard auth.hasPrefix("AWS4-HMAC-SHA256 ") else { return "not AWS4-HMAC-SHA256: \(auth)" }
        var fields: [String: String] = [:]
        for part in auth.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
            let kv = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { fields[kv[0]] = kv[1] }
        }
        guard let credential = fields["Credential"], let signedHeaders = fields["SignedHeaders"],
            let signature = fields["Signature"]
        else { return "Authorization lacks a field: \(auth)" }
        let scope = credential.split(separator: "/").map(String.init)
        guard scope.count == 5, scope[0] == accessKeyID, scope[2] == region, scope[3] == "s3",
            scope[4] == "aws4_request"
        else {
            return "credential scope \(credential) is not \(accessKeyID)/DATE/\(region)/s3/aws4_request"
        }
        guard let amzDate = r.header("x-amz-date"), amzDate.hasPrefix(scope[1]), amzDate.count == 16 else {
            return "x-amz-date missing or not of the scope's day"
        }
        guard let payload = r.header("x-amz-content-sha256") else { return "no x-amz-content-sha256 header" }
        guard payload == Self.emptySHA256 else {
            return "x-amz-content-sha256 \(payload) is not the hash of an empty GET body"
        }
        let signed = signedHeaders.split(separator: ";").map(String.init)
        for required in ["host", "x-amz-content-sha256", "x-amz-date"] where !signed.contains(required) {
            return "\(required) is not signed"
        }
        guard signed == signed.sorted() else { return "SignedHeaders not sorted" }
        var canonicalHeaders = ""
        for name in signed {
            guard let value = r.header(name) else { return "signed header \(name) not sent" }
            canonicalHeaders +=
                "\(name):\(value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " "))\n"
        }
        let encoded: [(name: String, value: String)] = Self.queryItems(r.query ?? "").map {
            (Self.awsEncode($0.0), Self.awsEncode($0.1))
        }
        let sorted = encoded.sorted { a, b in a.name == b.name ? a.value < b.value : a.name < b.name }
        let canonicalQuery = sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        // S3 takes the path as sent (already encoded once), without normalising it.
        let canonicalRequest = [r.method, r.path, canonicalQuery, canonicalHeaders, signedHeaders, payload].joined(
            separator: "\n")
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope[1...4].joined(separator: "/"),
            Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        var key = SymmetricKey(data: Array("AWS4\(secretAccessKey)".utf8))
        for part in [scope[1], region, "s3", "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let expected = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        return expected == signature ? nil : "signature mismatch; canonical request was:\n\(canonicalRequest)"
    }

    static func queryItems(_ query: String) -> [(String, String)] {
        query.split(separator: "&").map { item in
            let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                decode(String($0)) ?? String($0)
            }
            return (kv[0], kv.count > 1 ? kv[1] : "")
        }
    }

    static func decode(_ s: String) -> String? { s.removingPercentEncoding }

    static func awsEncode(_ s: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func etag(_ body: [UInt8]) -> String { "\"" + hex(SHA256.hash(data: body)).prefix(32) + "\"" }

    static func xmlEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;"
        )
        .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
