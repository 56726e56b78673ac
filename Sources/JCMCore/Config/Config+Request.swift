/// `method`, `body` and `content_type`: a meter whose gateway is asked with a POST (JSON-RPC:
/// OpenEMS Edge's `/jsonrpc`, Shelly Gen2's `/rpc`). The body may hold `{start}` and `{end}`, as
/// a windowed url does; they are written in the same convention (HistoryRequest).
extension Config {
    static func readRequest(_ r: inout TableReader, into p: inout Poll) {
        let method = r.string("method")
        let body = r.string("body")
        let contentType = r.string("content_type")
        switch method {
        case nil, "GET"?:
            if body != nil { r.problem("body", "only applies to method = \"POST\"") }
        case "POST"?:
            guard let body else {
                r.problem("method", "\"POST\" needs body (the request body, e.g. a JSON-RPC request)")
                return
            }
            if body.contains("\u{0}") { r.problem("body", "must not contain a NUL character") }
            p.body = body
            p.contentType = contentType ?? "application/json"
        case let other?:
            r.problem("method", "\"\(other)\" is not GET or POST")
        }
        if contentType != nil, p.body == nil {
            r.problem("content_type", "only applies to method = \"POST\" with a body")
        }
        if let contentType, contentType.contains(where: { $0 == "\r" || $0 == "\n" }) {
            r.problem("content_type", "must be one line (it is sent as the Content-Type header)")
        }
    }
}

extension Config.Poll {
    /// "POST" when the meter has a body, else "GET".
    public var method: String { body == nil ? "GET" : "POST" }

    /// The url and the body: where `{start}` and `{end}` of a windowed poll may stand.
    var requestTemplate: String { url + (body ?? "") }
}
