/// JSON-RPC 2.0 responses, as Shelly Gen2+ devices give them over `POST /rpc` (and over
/// WebSocket or MQTT): `{"id":1,"src":"shellypro3em-…","result":{…}}`, or
/// `{"id":1,"error":{"code":-103,"message":"…"}}`. `GET /rpc/Method` answers the bare result.
enum JSONRPC {
    typealias Failure = JSONMeterDecoder.Failure

    /// The result of an envelope, or the document itself when it is none (a bare result). A
    /// document is an envelope when it has `result` or `error` beside an `id`, as the
    /// specification's response object does; a device's own status never has an `error` object
    /// with an `id` beside it.
    static func result(_ document: JSONValue) -> Result<JSONValue, Failure> {
        guard case .object(let o) = document, o["id"] != nil else { return .success(document) }
        if let error = o["error"] {
            let code = error["code"]?.numberLiteral.map { " \($0)" } ?? ""
            let message = error["message"]?.stringValue.map { ": \($0.prefix(200))" } ?? ""
            return .failure(
                Failure(
                    reason: .payloadInvalid,
                    detail: "the device answered a JSON-RPC error\(code)\(message)"))
        }
        if let result = o["result"] {
            guard case .object = result else {
                let detail = "the JSON-RPC result is \(result.compactText.prefix(80)), not an object"
                return .failure(Failure(reason: .payloadInvalid, detail: detail))
            }
            return .success(result)
        }
        return .success(document)
    }
}
