/// Serialises an `HTTPResponse` into wire bytes with server-owned framing.
enum HTTPResponseEncoder {
    /// Headers the server always writes itself; handler copies are dropped so
    /// framing cannot be broken by a handler.
    private static let serverOwned: Set<String> = [
        "content-length", "connection", "date", "transfer-encoding", "keep-alive",
    ]

    static func encode(_ response: HTTPResponse, requestMethod: String, keepAlive: Bool, date: String) -> [UInt8] {
        let status = (100...999).contains(response.status) ? response.status : 500
        // RFC 9110: these statuses never carry content; HEAD gets the length but not the bytes.
        let statusForbidsBody = status < 200 || status == 204 || status == 304
        let sendsBody = !statusForbidsBody && requestMethod != "HEAD"

        var head = "HTTP/1.1 \(status) \(reasonPhrase(status))\r\nDate: \(date)\r\n"
        for (name, value) in response.headers where !serverOwned.contains(name.lowercased()) {
            // Strip CR/LF so a handler echoing client input cannot split the response.
            head += "\(sanitize(name)): \(sanitize(value))\r\n"
        }
        if !statusForbidsBody {
            head += "Content-Length: \(response.body.count)\r\n"
        }
        head += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"

        var bytes = Array(head.utf8)
        if sendsBody { bytes += response.body }
        return bytes
    }

    /// A plain-text reply that closes the connection, for requests that never reached the handler.
    static func protocolError(status: Int, message: String, date: String) -> [UInt8] {
        encode(.text(message + "\n", status: status), requestMethod: "GET", keepAlive: false, date: date)
    }

    static let continueInterim: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Whether the handler asked for the connection to end after this reply.
    static func handlerRequestsClose(_ response: HTTPResponse) -> Bool {
        response.headers.contains { $0.name.lowercased() == "connection" && $0.value.lowercased().contains("close") }
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 101: return "Switching Protocols"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }

    private static func sanitize(_ text: String) -> String {
        text.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" })
            ? String(text.filter { $0 != "\r" && $0 != "\n" && $0 != "\r\n" })
            : text
    }
}
