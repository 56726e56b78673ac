import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `jcm-ingestd simulate` on Hummingbird: the `MeterSimulator`'s answers over HTTP/1.1, for
/// thousands of keep-alive connections from the poller (bench/poll-fleet.sh polls 10,000).
public struct SimulatorServer: Service {
    let simulator: MeterSimulator
    let host: String
    let port: Int
    let logger: Logger
    let onRunning: @Sendable (UInt16) -> Void

    public init(
        simulator: MeterSimulator, host: String, port: Int, logger: Logger = Logger(label: "jcm-ingestd.simulate"),
        onRunning: @escaping @Sendable (UInt16) -> Void = { _ in }
    ) {
        self.simulator = simulator
        self.host = host
        self.port = port
        self.logger = logger
        self.onRunning = onRunning
    }

    public func run() async throws {
        let onRunning = self.onRunning
        let app = Application(
            responder: SimulatorResponder(simulator: simulator),
            // A poller that stops polling a meter lets its connection go after 30 s.
            server: .http1(
                configuration: .init(
                    idleTimeout: .seconds(30),
                    httpDecoderConfiguration: .init(maxHeaderFieldSize: 64 * 1024, maxHeaderListSize: 64 * 1024))),
            configuration: .init(address: .hostname(MetricsServer.bindable(host), port: port), backlog: 4096),
            onServerRunning: { channel in onRunning(UInt16(channel.localAddress?.port ?? 0)) },
            logger: MetricsServer.quiet(logger)
        )
        try await app.run()
    }
}

struct SimulatorResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let simulator: MeterSimulator

    func respond(to request: Request, context: Context) async throws -> Response {
        let answer = simulator.answer(method: request.method.rawValue, path: request.uri.path)
        var headers: HTTPFields = [.contentType: answer.contentType]
        if let allow = answer.allow { headers[.allow] = allow }
        let response = Response(
            status: .init(code: answer.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        return request.method == .head ? response.createHeadResponse() : response
    }
}
