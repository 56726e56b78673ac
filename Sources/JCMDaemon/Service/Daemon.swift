import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Logging

/// Wires the services: the writer first (it stops last and drains), then the folder watcher and
/// the poller. Each runs on its own thread: libpq, libcurl and inotify all block, and Swift's
/// cooperative pool has one thread per core.
public final class Daemon: @unchecked Sendable {
    private var config: Config
    private let logger: Logger
    private let conninfo: String
    private let stopLock = NSLock()
    private var stopRequested = false
    private var reloadRequested = false
    private var failure: Error?
    private let wake = DispatchSemaphore(value: 0)
    /// Reads the configuration again, for SIGHUP.
    private let reload: (@Sendable () throws -> Config)?

    public let metrics = Metrics()
    /// The port `/metrics` and `/healthz` are served on, once running (useful with port 0).
    public var metricsPort: UInt16? { stopLock.withLock { servedPort } }
    private var servedPort: UInt16?

    public init(config: Config, conninfo: String, logger: Logger, reload: (@Sendable () throws -> Config)? = nil) {
        self.config = config
        self.conninfo = conninfo
        self.logger = logger
        self.reload = reload
    }

    /// Runs until `requestStop()` (SIGTERM / SIGINT in the executable), then shuts down in order.
    public func run() throws {
        // Secrets first: a meter whose secret cannot be read fails the start before anything runs.
        let security = try PollSecrets.resolve(config)
        let uploadSecrets = try UploadSecrets.resolve(config)
        let spool = try Spool(
            directory: config.daemon.stateDir + "/spool", maxBytes: config.daemon.spoolMaxBytes, logger: logger)
        spool.onReadFailure = { [metrics] code in
            metrics.add("jcm_open_failures_total", ["what": "spool_read", "error": "\(OpenFailure.name(code))"])
        }
        let writer = IngestWriter(
            conninfo: conninfo, config: config, logger: logger, metrics: metrics, spool: spool,
            pendingGaps: PendingGaps.path(stateDir: config.daemon.stateDir))
        do {
            try writer.prepare()
            metrics.set("jcm_database_up", 1)
        } catch let error as PostgresError where !error.isPermanent {
            // The spool takes the polls until the database is back; the writer keeps trying.
            logger.error(
                "database unavailable at start; polls are spooled until it is back", metadata: ["error": "\(error)"])
            metrics.set("jcm_database_up", 0)
        }
        metrics.gauge("jcm_writer_backlog") { Double(writer.backlog) }
        metrics.gauge("jcm_spool_bytes") { Double(spool.bytes) }
        metrics.gauge("jcm_spool_age_seconds") { spool.age }
        let intake = PollIntake(spool: spool, writer: writer, logger: logger, metrics: metrics)
        intake.redactor = PollSecrets.redactor(config, security)
        let writerDone = Self.spawn("writer") { writer.run() }
        let intakeDone = intake.start()
        let metricsServer = try serveMetrics()
        defer { metricsServer?.stop() }

        var sources = Sources.start(
            config, security: security, uploads: Uploads(secrets: uploadSecrets, conninfo: conninfo, metrics: metrics),
            writer: writer, intake: intake, logger: logger
        ) { [self] what, error in
            fail(what, error)
        }
        logger.info(
            "jcm-ingestd running",
            metadata: [
                "meters.polled": "\(sources.polled)", "meters": "\(config.meters.count)",
                "folders": "\(config.watches.count)", "uploads": "\(config.uploads.count)",
            ])
        if config.isEmpty { logger.notice("\(Config.nothingConfiguredMessage)") }
        SystemdNotify.send("READY=1\n" + status(sources, writer, spool))

        // The main loop: tells systemd it is alive (WatchdogSec=) and what it is doing.
        let watchdog = SystemdNotify.watchdogInterval()
        while true {
            _ = wake.wait(timeout: .now() + (watchdog ?? 10))
            let (stop, reloading) = stopLock.withLock { () -> (Bool, Bool) in
                defer { reloadRequested = false }
                return (stopRequested, reloadRequested)
            }
            if stop { break }
            if reloading, let (next, security, uploadSecrets) = reloadedConfig() {
                SystemdNotify.send("RELOADING=1")
                sources.stop()
                config = next
                intake.redactor = PollSecrets.redactor(next, security)
                writer.submit(.reconfigure(next))
                sources = Sources.start(
                    next, security: security,
                    uploads: Uploads(secrets: uploadSecrets, conninfo: conninfo, metrics: metrics), writer: writer,
                    intake: intake, logger: logger
                ) { [self] what, error in fail(what, error) }
                logger.info(
                    "configuration reloaded",
                    metadata: [
                        "meters.polled": "\(sources.polled)", "meters": "\(next.meters.count)",
                        "folders": "\(next.watches.count)",
                    ])
                if next.isEmpty { logger.notice("\(Config.nothingConfiguredMessage)") }
                SystemdNotify.send("READY=1")
            }
            SystemdNotify.send(status(sources, writer, spool) + (watchdog != nil ? "\nWATCHDOG=1" : ""))
        }
        logger.info("stopping: sources first, then the writer drains", metadata: ["backlog": "\(writer.backlog)"])
        SystemdNotify.send("STOPPING=1")
        sources.stop()
        intake.finish()
        intakeDone.wait()
        writer.finish()
        writerDone.wait()
        if let failure = stopLock.withLock({ failure }) { throw failure }
        logger.info("stopped")
    }

    public func requestStop() {
        stopLock.withLock { stopRequested = true }
        wake.signal()
    }

    /// SIGHUP: read the configuration again. A bad one is reported and the old one stays.
    public func requestReload() {
        stopLock.withLock { reloadRequested = true }
        wake.signal()
    }

    private func reloadedConfig() -> (Config, [String: TransferSecurity], [String: UploadSecrets.Resolved])? {
        guard let reload else { return nil }
        do {
            let next = try reload()
            let security = try PollSecrets.resolve(next)
            let uploadSecrets = try UploadSecrets.resolve(next)
            if next.database != config.database || next.daemon.stateDir != config.daemon.stateDir
                || next.metricsListen != config.metricsListen
            {
                logger.warning("reload: [database], daemon.state_dir and [metrics] take effect at the next restart")
            }
            return (next, security, uploadSecrets)
        } catch {
            logger.error("reload refused; the running configuration stays in force", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func status(_ sources: Sources, _ writer: IngestWriter, _ spool: Spool) -> String {
        if config.isEmpty { return "STATUS=" + Config.nothingConfiguredMessage }
        let down = Int(metrics.value("jcm_meters_down"))
        var text =
            "STATUS=polling \(sources.polled) meters (\(sources.polled - down) up, \(down) down), watching \(config.watches.count) folders, \(writer.backlog) jobs waiting to be written"
        if metrics.value("jcm_database_up") != 1 { text += ", DATABASE UNAVAILABLE" }
        let spooled = spool.bytes
        if spooled > 0 { text += ", spool \(spooled / 1024) KiB (\(Int(spool.age)) s)" }
        if metrics.value("jcm_polling_paused") == 1 { text += ", POLLING PAUSED (spool full)" }
        let halted = writer.haltedChains
        if !halted.isEmpty {
            text +=
                ", LEDGER HALTED for \(halted.joined(separator: " ")) (a head this daemon did not write: see the log)"
        }
        if case let last = metrics.value("jcm_last_commit_timestamp_seconds"), last > 0 {
            text += ", last commit \(Int(Date().timeIntervalSince1970 - last)) s ago"
        }
        return text
    }

    /// A source that dies takes the daemon down with it (exit non-zero: systemd restarts it),
    /// rather than leaving a daemon that looks alive and collects nothing.
    private func fail(_ what: String, _ error: Error) {
        logger.critical("\(what); stopping", metadata: ["error": "\(error)"])
        stopLock.withLock { if failure == nil { failure = error } }
        requestStop()
    }

    /// `/metrics` and `/healthz` (`MetricsServer`), run beside the threads until the daemon stops.
    private func serveMetrics() throws -> BackgroundServer? {
        guard let listen = config.metricsListen else { return nil }
        let (metrics, logger) = (metrics, logger)
        let running = try BackgroundServer("/metrics on \(listen)", logger: logger) { onRunning in
            MetricsServer(
                host: listen.host, port: Int(listen.port), metrics: metrics,
                health: { MetricsEndpoint.health(metrics) }, logger: logger, onRunning: onRunning
            )
        }
        stopLock.withLock { servedPort = running.port }
        logger.info("serving /metrics and /healthz", metadata: ["listen": "\(listen)", "port": "\(running.port)"])
        return running
    }

    static func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            // Named for the kernel too: top -H and /proc/PID/task show which part spends the CPU.
            Thread.current.name = name
            body()
            done.signal()
        }
        thread.name = name
        thread.start()
        return done
    }
}
