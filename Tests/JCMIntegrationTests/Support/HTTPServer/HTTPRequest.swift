/// One parsed HTTP/1.x request as handed to an `HTTPServer` handler.
///
/// The path is kept exactly as it arrived (no percent-decoding) so handlers and
/// fake gateways can assert on what a client really sent.
public struct HTTPRequest: Sendable {
    public var method: String
    /// Request target without the query; percent-decoding is NOT applied.
    public var path: String
    /// Raw query string after '?', if any (empty string when the target ends in '?').
    public var query: String?
    /// Header fields in arrival order; names are lowercased, values trimmed of surrounding whitespace.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(
        method: String,
        path: String,
        query: String? = nil,
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// First value of a header, case-insensitively. Repeated fields are not joined:
    /// the handlers here only read single-valued fields.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name == wanted }?.value
    }
}
