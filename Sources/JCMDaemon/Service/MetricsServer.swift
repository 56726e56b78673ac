import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `/metrics` and `/healthz` on Hummingbird: a swift-service-lifecycle `Service`, so a
/// `ServiceGroup` can run it beside the daemon's other services; today's thread-based daemon
/// starts it with `BackgroundServer`.
///
/// Anyone who can reach the port may hit it, so it must not be able to starve the daemon of
/// memory or descriptors: `MetricsConnectionGuard` bounds the connections and how long each may
/// take, `MetricsResponder` refuses bodies and methods, `AcceptFailureCounter` counts accept()
/// failing for want of descriptors (NIO itself backs off for a second).
public struct MetricsServer: Service {
    /// What /healthz answers: 200 "ok", or 503 with the reason.
    public enum Health: Sendable, Equatable {
        case ok
        case unavailable(String)
    }

    /// What one client may take. Not configurable: the endpoint serves a handful of scrapers.
    public struct Limits: Sendable {
        /// Open connections at most; one beyond closes the least recently active.
        public var maxConnections = 64
        /// A whole request must arrive within this long of the connection's start or of the
        /// previous answer's end.
        public var requestTimeout = TimeAmount.seconds(10)
        /// A connection with no request for this long after an answer is closed.
        public var idleTimeout = TimeAmount.seconds(15)
        /// A request head larger than this is refused and the connection closed.
        public var maxHeadBytes = 64 * 1024
        /// Connections waiting in the kernel to be accepted.
        public var backlog = 4096

        public init() {}
    }

    let host: String
    let port: Int
    let metrics: Metrics
    let health: @Sendable () -> Health
    let limits: Limits
    let logger: Logger
    let onRunning: @Sendable (UInt16) -> Void

    /// `health` is read on every /healthz; `onRunning` is told the bound port (useful with port 0).
    public init(
        host: String, port: Int, metrics: Metrics, health: @escaping @Sendable () -> Health,
        limits: Limits = Limits(), logger: Logger, onRunning: @escaping @Sendable (UInt16) -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.metrics = metrics
        self.health = health
        self.limits = limits
        self.logger = logger
        self.onRunning = onRunning
    }

    public func run() async throws {
        let events = MetricsEndpoint.events(metrics: metrics, logger: logger)
        let table = MetricsConnectionTable(limit: limits.maxConnections)
        let limits = self.limits
        let onRunning = self.onRunning
        let app = Application(
            responder: MetricsResponder(metrics: metrics, health: health),
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [MetricsConnectionGuard(table: table, limits: limits, onEvent: events)],
                    httpDecoderConfiguration: .init(
                        maxHeaderFieldSize: limits.maxHeadBytes, maxHeaderListSize: limits.maxHeadBytes,
                        maxHeaderFieldCount: 100))),
            configuration: .init(address: .hostname(Self.bindable(host), port: port), backlog: limits.backlog),
            onServerRunning: { channel in
                // First in the listener's pipeline: NIO's accept backoff swallows the error after it.
                try? await channel.pipeline.addHandler(AcceptFailureCounter(onEvent: events), position: .first).get()
                onRunning(UInt16(channel.localAddress?.port ?? 0))
            },
            logger: Self.internals(logger)
        )
        try await app.run()
    }

    /// "[::1]" as NIO wants it: without the brackets a host:port text needs.
    static func bindable(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// The server's own lines, below critical, are dropped: the daemon stops it by cancelling it
    /// (`DetachedService`), which Hummingbird logs as an error at every stop. What an operator
    /// needs of the endpoint (connections evicted or timed out, accept failing) is logged by
    /// `MetricsEndpoint.events`.
    static func internals(_ logger: Logger) -> Logger {
        var quiet = logger
        quiet.logLevel = .critical
        return quiet
    }

    /// Hummingbird's own start and stop lines repeat the daemon's; its warnings stay.
    static func quiet(_ logger: Logger) -> Logger {
        var quiet = logger
        if quiet.logLevel < .notice { quiet.logLevel = .notice }
        return quiet
    }
}
