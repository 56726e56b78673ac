/// A reply produced by an `HTTPServer` handler.
///
/// Framing headers (Content-Length, Connection, Date, Transfer-Encoding) are
/// always written by the server; any the handler sets are dropped so a handler
/// can never desynchronise a keep-alive connection. A handler may still ask for
/// the connection to be closed with `Connection: close`.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The server holds the reply this long without blocking other connections,
    /// so tests can exercise client timeouts against a live socket.
    public var delayMilliseconds: Int = 0

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(text.utf8))
    }

    public static func text(
        _ text: String,
        status: Int = 200,
        contentType: String = "text/plain; charset=utf-8"
    ) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }

    /// A copy that the server will hold for `milliseconds` before sending.
    public func delayed(by milliseconds: Int) -> HTTPResponse {
        var copy = self
        copy.delayMilliseconds = milliseconds
        return copy
    }
}
