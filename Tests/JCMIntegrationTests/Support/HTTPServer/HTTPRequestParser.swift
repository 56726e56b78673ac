/// A request head that parsed cleanly; the body has not been read yet.
struct HTTPRequestHead {
    var method: String
    var path: String
    var query: String?
    /// 0 for HTTP/1.0, 1 for HTTP/1.1: decides the keep-alive default.
    var minorVersion: Int
    var headers: [(name: String, value: String)]
    var contentLength: Int
    var keepAlive: Bool
    var expectsContinue: Bool
}

/// A protocol error that ends the connection with the given status.
struct HTTPRequestParseError: Error {
    var status: Int
    var message: String
}

/// Parses HTTP/1.x request heads from raw bytes.
///
/// Deliberately strict where leniency enables request smuggling (bare CR,
/// obs-fold, whitespace before ':', conflicting Content-Length, any
/// Transfer-Encoding) and lenient where real clients differ harmlessly
/// (bare LF line ends, empty lines before the request line, no Host header:
/// hand-written test clients often omit it).
enum HTTPRequestParser {
    /// Index just past the blank line ending the head, scanning from `from`
    /// so a head arriving in many small reads is not rescanned from the start.
    static func findHeadEnd(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var i = max(from, 0)
        let count = bytes.count
        while i < count {
            if bytes[i] == lf {
                if i + 1 < count, bytes[i + 1] == lf { return i + 2 }
                if i + 2 < count, bytes[i + 1] == cr, bytes[i + 2] == lf { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    /// Number of CR/LF bytes before the request line (RFC 9112 §2.2 asks servers
    /// to ignore at least one; some clients send one after a POST body).
    static func leadingEmptyLineBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var i = 0
        while i < bytes.count, bytes[i] == cr || bytes[i] == lf { i += 1 }
        return i
    }

    /// Parses a complete head (request line + fields + blank line).
    static func parseHead(_ head: UnsafeBufferPointer<UInt8>, maxBodyBytes: Int) throws(HTTPRequestParseError)
        -> HTTPRequestHead
    {
        var lines = try splitLines(head)
        guard !lines.isEmpty else { throw bad("empty request") }
        let requestLine = lines.removeFirst()
        var request = try parseRequestLine(requestLine)

        var contentLength: Int?
        var connectionTokens: [String] = []
        for line in lines {
            let field = try parseField(line)
            switch field.name {
            case "content-length":
                let value = try parseContentLength(field.value, maxBodyBytes: maxBodyBytes)
                if let earlier = contentLength, earlier != value { throw bad("conflicting Content-Length") }
                contentLength = value
            case "transfer-encoding":
                // No chunked decoder here; guessing the framing would desynchronise the stream.
                throw HTTPRequestParseError(
                    status: 501, message: "Transfer-Encoding is not supported; send Content-Length")
            case "connection":
                connectionTokens += field.value.split(separator: ",").map { trimOWS($0).lowercased() }
            case "expect":
                request.expectsContinue =
                    trimOWS(field.value).lowercased() == "100-continue"
                    && request.minorVersion >= 1
            default:
                break
            }
            request.headers.append(field)
        }
        request.contentLength = contentLength ?? 0
        if connectionTokens.contains("close") {
            request.keepAlive = false
        } else {
            request.keepAlive = request.minorVersion >= 1 || connectionTokens.contains("keep-alive")
        }
        return request
    }

    // MARK: - Pieces

    private static let cr: UInt8 = 13
    private static let lf: UInt8 = 10

    private static func bad(_ message: String) -> HTTPRequestParseError {
        HTTPRequestParseError(status: 400, message: message)
    }

    /// Splits on LF, drops one trailing CR per line, and stops at the blank line.
    private static func splitLines(_ head: UnsafeBufferPointer<UInt8>) throws(HTTPRequestParseError)
        -> [UnsafeBufferPointer<UInt8>]
    {
        var lines: [UnsafeBufferPointer<UInt8>] = []
        var start = leadingEmptyLineBytes(head)
        var i = start
        while i < head.count {
            if head[i] == lf {
                var end = i
                if end > start, head[end - 1] == cr { end -= 1 }
                if end == start { break }  // the blank line ending the head
                let line = UnsafeBufferPointer(rebasing: head[start..<end])
                if line.contains(cr) { throw bad("bare CR in request head") }
                lines.append(line)
                start = i + 1
            }
            i += 1
        }
        return lines
    }

    private static func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPRequestParseError)
        -> HTTPRequestHead
    {
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw bad("malformed request line") }
        let method = parts[0]
        let target = parts[1]
        let version = parts[2]
        guard !method.isEmpty, method.allSatisfy(isTokenByte) else { throw bad("malformed method") }
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw bad("malformed request target")
        }

        let minor: Int
        switch String(decoding: version, as: UTF8.self) {
        case "HTTP/1.1": minor = 1
        case "HTTP/1.0": minor = 0
        case let other where other.hasPrefix("HTTP/"):
            throw HTTPRequestParseError(status: 505, message: "HTTP version not supported")
        default:
            throw bad("malformed HTTP version")
        }

        let methodString = String(decoding: method, as: UTF8.self)
        let (path, query) = try splitTarget(String(decoding: target, as: UTF8.self), method: methodString)
        return HTTPRequestHead(
            method: methodString, path: path, query: query, minorVersion: minor,
            headers: [], contentLength: 0, keepAlive: minor >= 1, expectsContinue: false
        )
    }

    /// Accepts origin-form, absolute-form (proxies and some libraries send it) and
    /// asterisk-form; handlers always see an origin-form path.
    private static func splitTarget(_ target: String, method: String) throws(HTTPRequestParseError) -> (String, String?)
    {
        var pathAndQuery = Substring(target)
        if target == "*" {
            guard method == "OPTIONS" else { throw bad("'*' target is only valid for OPTIONS") }
            return ("*", nil)
        } else if !target.hasPrefix("/") {
            let lowered = target.lowercased()
            guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"),
                let schemeEnd = target.range(of: "://")
            else { throw bad("malformed request target") }
            let afterAuthority = target[schemeEnd.upperBound...]
            if let slash = afterAuthority.firstIndex(where: { $0 == "/" || $0 == "?" }) {
                pathAndQuery = afterAuthority[slash...]
                if pathAndQuery.hasPrefix("?") { pathAndQuery = "/" + pathAndQuery }
            } else {
                pathAndQuery = "/"
            }
        }
        if let mark = pathAndQuery.firstIndex(of: "?") {
            return (String(pathAndQuery[..<mark]), String(pathAndQuery[pathAndQuery.index(after: mark)...]))
        }
        return (String(pathAndQuery), nil)
    }

    private static func parseField(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPRequestParseError) -> (
        name: String, value: String
    ) {
        // obs-fold (continuation lines) is deprecated and a known smuggling vector.
        if line[0] == 0x20 || line[0] == 0x09 { throw bad("obsolete header line folding") }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { throw bad("malformed header field") }
        let name = line[..<colon]
        guard name.allSatisfy(isTokenByte) else { throw bad("malformed header field name") }
        let value = line[(colon + 1)...]
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw bad("control character in header field value")
        }
        return (
            String(decoding: name, as: UTF8.self).lowercased(),
            trimOWS(String(decoding: value, as: UTF8.self))
        )
    }

    private static func parseContentLength(_ value: String, maxBodyBytes: Int) throws(HTTPRequestParseError) -> Int {
        guard !value.isEmpty, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw bad("malformed Content-Length")
        }
        // Compare digit counts first so absurd values cannot overflow Int.
        let significant = value.drop(while: { $0 == "0" })
        guard significant.count <= 18, let length = Int(value), length <= maxBodyBytes else {
            throw HTTPRequestParseError(status: 413, message: "request body too large")
        }
        return length
    }

    /// RFC 9110 tchar.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// Trims SP and HTAB only: the whitespace HTTP allows around field values.
    private static func trimOWS(_ text: some StringProtocol) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = text.lastIndex(where: { !isSpace($0) })!
        return String(text[first...last])
    }
}
