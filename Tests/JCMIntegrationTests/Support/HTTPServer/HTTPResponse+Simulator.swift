import JCMDaemon

extension HTTPResponse {
    /// A `MeterSimulator` answer, served by the tests' own server.
    init(_ answer: MeterSimulator.Answer) {
        var headers = [(name: "Content-Type", value: answer.contentType)]
        if let allow = answer.allow { headers.append((name: "Allow", value: allow)) }
        self.init(status: answer.status, headers: headers, body: Array(answer.body.utf8))
    }
}

extension MeterSimulator {
    /// The simulator as a handler of the tests' own server.
    func handle(_ request: HTTPRequest) -> HTTPResponse {
        HTTPResponse(answer(method: request.method, path: request.path))
    }
}
