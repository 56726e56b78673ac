import Hummingbird

/// The answers of /metrics and /healthz. The endpoints are read-only and bodiless: a body is
/// refused (413) before a byte of it is read and the connection closed after the answer; any
/// method but GET and HEAD gets 405 with `Allow`.
struct MetricsResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let metrics: Metrics
    let health: @Sendable () -> MetricsServer.Health

    func respond(to request: Request, context: Context) async throws -> Response {
        let length = request.headers[.contentLength]
        if (length != nil && length != "0") || request.headers[.transferEncoding] != nil {
            return Self.text("request bodies are refused\n", status: .contentTooLarge, close: true)
        }
        guard request.method == .get || request.method == .head else {
            var refused = Self.text("method not allowed\n", status: .methodNotAllowed)
            refused.headers[.allow] = "GET, HEAD"
            return refused
        }
        let response: Response
        switch request.uri.path {
        case "/metrics":
            response = Self.text(metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        case "/healthz":
            switch health() {
            case .ok: response = Self.text("ok\n")
            case .unavailable(let reason): response = Self.text(reason + "\n", status: .serviceUnavailable)
            }
        default:
            response = Self.text("not found\n", status: .notFound)
        }
        return request.method == .head ? response.createHeadResponse() : response
    }

    static func text(
        _ body: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8",
        close: Bool = false
    ) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        if close { headers[.connection] = "close" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
