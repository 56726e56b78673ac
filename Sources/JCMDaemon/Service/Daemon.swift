import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Logging
import ServiceLifecycle
import Synchronization

/// The daemon: one swift-service-lifecycle `ServiceGroup` of
///
///     /metrics → writer → intake (spool) → supervisor (the sources, systemd notify, SIGHUP)
///
/// started in that order and stopped in the reverse one: the sources stop, the intake flushes
/// to the spool, the writer drains and closes the database, /metrics goes last. The parts that
/// block (libcurl's multi loop, libpq, inotify) keep threads of their own (`ThreadService`);
/// the group only awaits them.
public final class Daemon: Sendable {
    private let config: Config
    private let logger: Logger
    private let conninfo: String
    /// Reads the configuration again, for SIGHUP.
    private let reload: (@Sendable () throws -> Config)?
    private let events: AsyncStream<Supervisor.Event>
    private let post: AsyncStream<Supervisor.Event>.Continuation
    private let port = Mutex<UInt16?>(nil)

    public let metrics = Metrics()
    /// The port `/metrics` and `/healthz` are served on, once running (useful with port 0).
    public var metricsPort: UInt16? { port.withLock { $0 } }

    public init(config: Config, conninfo: String, logger: Logger, reload: (@Sendable () throws -> Config)? = nil) {
        self.config = config
        self.conninfo = conninfo
        self.logger = logger
        self.reload = reload
        (events, post) = AsyncStream.makeStream(of: Supervisor.Event.self)
    }

    /// Runs until `requestStop()` (or, trapping signals, SIGTERM or SIGINT), from synchronous
    /// code: the executable and the tests. The group runs on threads of its own, so a caller
    /// that blocks Swift's cooperative pool cannot starve it.
    public func run(trappingSignals: Bool = false) throws {
        try BlockingBridge.run("daemon") { executor in
            try await self.run(trappingSignals: trappingSignals, executor: executor)
        }
    }

    /// - Parameter executor: where the tasks the daemon starts run (nil: Swift's global pool).
    public func run(trappingSignals: Bool, executor: (any TaskExecutor)? = nil) async throws {
        // Secrets first: a meter whose secret cannot be read fails the start before anything runs.
        let initial = try Loaded(config)
        let spool = try Spool(
            directory: config.daemon.stateDir + "/spool", maxBytes: config.daemon.spoolMaxBytes, logger: logger)
        spool.onReadFailure = { [metrics] code in
            metrics.add("jcm_open_failures_total", ["what": "spool_read", "error": "\(OpenFailure.name(code))"])
        }
        let writer = IngestWriter(
            conninfo: conninfo, config: config, logger: logger, metrics: metrics, spool: spool,
            pendingGaps: PendingGaps.path(stateDir: config.daemon.stateDir))
        do {
            try await ThreadService.offPool("writer") {
                defer {
                    // The start (the configuration mirrored, the validators loaded) allocates in
                    // this thread's malloc arena, which outlives the thread: give what it freed
                    // back, or the daemon carries it (35 MB at 10,000 meters) for its whole run.
                    _ = releaseFreedMemory(0)
                }
                try writer.prepare()
            }
        } catch let error as PostgresError where !error.isPermanent {
            // The spool takes the polls until the database is back; the writer keeps trying.
            logger.error(
                "database unavailable at start; polls are spooled until it is back", metadata: ["error": "\(error)"])
        }
        metrics.gauge("jcm_writer_backlog") { Double(writer.backlog) }
        metrics.gauge("jcm_spool_bytes") { Double(spool.bytes) }
        metrics.gauge("jcm_spool_age_seconds") { spool.age }
        let intake = PollIntake(spool: spool, writer: writer, logger: logger, metrics: metrics)
        intake.redactor = PollSecrets.redactor(config, initial.security)
        let parts = Parts(
            logger: logger, writer: writer, intake: intake, spool: spool, metrics: metrics, conninfo: conninfo,
            executor: executor)

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let listen = config.metricsListen {
            let server = MetricsServer(
                host: listen.host, port: Int(listen.port), metrics: metrics,
                health: { DaemonStatus(writer: writer.health).health }, logger: logger,
                onRunning: { [self] bound in
                    port.withLock { $0 = bound }
                    logger.info(
                        "serving /metrics and /healthz", metadata: ["listen": "\(listen)", "port": "\(bound)"])
                    post.yield(.metricsListening)
                })
            services.append(Self.essential(DetachedService(service: server, executor: executor), "metrics"))
        }
        services.append(
            Self.essential(ThreadService(name: "writer", body: { writer.run() }, stop: { writer.finish() }), "writer"))
        services.append(
            Self.essential(
                ThreadService(name: "spool", body: { intake.run() }, stop: { intake.finish() }), "intake"))
        services.append(
            Self.essential(
                Supervisor(
                    initial: initial, parts: parts, reload: reload, events: events, post: post,
                    trapsHangup: trappingSignals), "supervisor"))
        let group = ServiceGroup(
            configuration: .init(
                services: services, gracefulShutdownSignals: trappingSignals ? [.sigterm, .sigint] : [],
                logger: MetricsServer.quiet(logger)))
        try await group.run()
        // What this run received, all committed or in the spool for the next start.
        logger.info("stopped", metadata: ["polls.received": "\(parts.received.value)"])
    }

    /// Stops the daemon in order (the supervisor stops the sources, then the group the rest).
    public func requestStop() { post.yield(.stop) }

    /// SIGHUP: read the configuration again. A bad one is reported and the old one stays.
    public func requestReload() { post.yield(.reload) }

    /// A service the daemon cannot do without: its end, or its failure, stops the whole group in
    /// order (the failure is what `run` throws).
    private static func essential(_ service: any Service, _ name: String)
        -> ServiceGroupConfiguration.ServiceConfiguration
    {
        .init(
            service: service, successTerminationBehavior: .gracefullyShutdownGroup,
            failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: name)
    }

    /// A configuration with its secrets read, ready to start sources from.
    struct Loaded: Sendable {
        let config: Config
        let security: [String: TransferSecurity]
        let uploads: [String: UploadSecrets.Resolved]

        init(_ config: Config) throws {
            self.config = config
            security = try PollSecrets.resolve(config)
            uploads = try UploadSecrets.resolve(config)
        }
    }

    /// What outlives a reload: the writer, the intake and the spool, and what they report.
    struct Parts: Sendable {
        let logger: Logger
        let writer: IngestWriter
        let intake: PollIntake
        let spool: Spool
        let metrics: Metrics
        let conninfo: String
        let executor: (any TaskExecutor)?
        let received = PollCount()

        func status(polled: Int, folders: Int, nothingConfigured: Bool) -> DaemonStatus {
            DaemonStatus(
                writer: writer.health, polled: polled, folders: folders, backlog: writer.backlog,
                spoolBytes: spool.bytes, spoolAge: spool.age, pollingPaused: intake.isPaused,
                nothingConfigured: nothingConfigured)
        }
    }
}

/// Poll results handed to the intake in this run (the "stopped" line says how many).
final class PollCount: Sendable {
    private let count = Atomic<Int>(0)
    func add(_ n: Int) { count.add(n, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
