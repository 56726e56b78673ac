import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Logging

/// Wires the services: the writer first (it stops last and drains), then the folder watcher and
/// the poller. Each runs on its own thread: libpq, libcurl and inotify all block, and Swift's
/// cooperative pool has one thread per core.
public final class Daemon: @unchecked Sendable {
    private let config: Config
    private let logger: Logger
    private let conninfo: String
    private let stopLock = NSLock()
    private var stopRequested = false
    private var failure: Error?
    private let stopSignal = DispatchSemaphore(value: 0)

    public let metrics = Metrics()
    /// The port `/metrics` and `/healthz` are served on, once running (useful with port 0).
    public var metricsPort: UInt16? { stopLock.withLock { servedPort } }
    private var servedPort: UInt16?

    public init(config: Config, conninfo: String, logger: Logger) {
        self.config = config
        self.conninfo = conninfo
        self.logger = logger
    }

    /// Runs until `requestStop()` (SIGTERM / SIGINT in the executable), then shuts down in order.
    public func run() throws {
        let writer = IngestWriter(conninfo: conninfo, config: config, logger: logger, metrics: metrics)
        try writer.prepare()
        metrics.set("jcm_database_up", 1)
        metrics.gauge("jcm_writer_backlog") { Double(writer.backlog) }
        let writerDone = Self.spawn("writer") { writer.run() }

        var metricsServer: HTTPServer?
        if let listen = config.metricsListen, let colon = listen.lastIndex(of: ":"), let port = UInt16(listen[listen.index(after: colon)...]) {
            let server = try HTTPServer(host: String(listen[..<colon]), port: port) { [metrics] request in
                switch request.path {
                case "/metrics": return .text(metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
                case "/healthz":
                    return metrics.value("jcm_database_up") == 1 ? .text("ok\n") : .text("database unavailable\n", status: 503)
                default: return .text("not found\n", status: 404)
                }
            }
            server.start()
            metricsServer = server
            stopLock.withLock { servedPort = server.port }
            logger.info("serving /metrics and /healthz", metadata: ["listen": "\(listen)", "port": "\(server.port)"])
        }
        defer { metricsServer?.stop() }

        var watcher: FolderWatcher?
        var watcherDone: DispatchSemaphore?
        if !config.watches.isEmpty {
            let w = FolderWatcher(watches: config.watches, logger: logger) { path, watch in
                writer.submit(.report(path: path, watch: watch))
            }
            writer.onReportDone = { [weak w] path in w?.finished(path) }
            watcher = w
            watcherDone = Self.spawn("watcher") { [self] in
                do { try w.run() } catch { fail("folder watcher stopped", error) }
            }
        }

        let targets = config.meters.compactMap { m -> PollTarget? in
            guard let p = m.poll else { return nil }
            return PollTarget(meterID: m.id, url: p.url, schedule: PollSchedule(intervalMs: p.intervalMilliseconds, meterID: m.id),
                              connectTimeoutMs: Int(p.connectTimeoutMilliseconds), timeoutMs: Int(p.timeoutMilliseconds), maxBytes: p.maxResponseBytes)
        }
        var poller: MeterPoller?
        var pollerDone: DispatchSemaphore?
        if !targets.isEmpty {
            let p = MeterPoller(targets: targets, logger: logger) { writer.submit(.poll($0)) }
            poller = p
            pollerDone = Self.spawn("poller") { [self] in
                do { try p.run() } catch { fail("poller stopped", error) }
            }
        }
        logger.info("jcm-ingestd running", metadata: ["meters.polled": "\(targets.count)", "meters": "\(config.meters.count)", "folders": "\(config.watches.count)"])
        SystemdNotify.send("READY=1\nSTATUS=polling \(targets.count) meters, watching \(config.watches.count) folders")

        // The main loop: tells systemd it is alive (WatchdogSec=) and what it is doing.
        let watchdog = SystemdNotify.watchdogInterval()
        let tick = watchdog ?? 10
        while stopSignal.wait(timeout: .now() + tick) == .timedOut {
            var message = "STATUS=polling \(targets.count) meters, watching \(config.watches.count) folders, \(writer.backlog) jobs waiting to be written"
            if watchdog != nil { message += "\nWATCHDOG=1" }
            SystemdNotify.send(message)
        }
        logger.info("stopping: sources first, then the writer drains", metadata: ["backlog": "\(writer.backlog)"])
        SystemdNotify.send("STOPPING=1")
        poller?.stop()
        watcher?.stop()
        pollerDone?.wait()
        watcherDone?.wait()
        writer.finish()
        writerDone.wait()
        if let failure = stopLock.withLock({ failure }) { throw failure }
        logger.info("stopped")
    }

    /// A source that dies takes the daemon down with it (exit non-zero: systemd restarts it),
    /// rather than leaving a daemon that looks alive and collects nothing.
    private func fail(_ what: String, _ error: Error) {
        logger.critical("\(what); stopping", metadata: ["error": "\(error)"])
        stopLock.withLock { if failure == nil { failure = error } }
        requestStop()
    }

    public func requestStop() {
        stopLock.withLock {
            guard !stopRequested else { return }
            stopRequested = true
            stopSignal.signal()
        }
    }

    static func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            done.signal()
        }
        thread.name = name
        thread.start()
        return done
    }
}

/// The systemd notify protocol: one datagram to $NOTIFY_SOCKET. Silent when not under systemd.
public enum SystemdNotify {
    /// Half of $WATCHDOG_USEC in seconds, when systemd expects keep-alives from this process.
    public static func watchdogInterval(environment: [String: String] = ProcessInfo.processInfo.environment) -> Double? {
        guard let usec = environment["WATCHDOG_USEC"].flatMap(Double.init), usec > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"], pid != String(getpid()) { return nil }
        return usec / 2_000_000
    }

    public static func send(_ message: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard var path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return }
        if path.hasPrefix("@") { path = "\0" + path.dropFirst() }  // abstract namespace
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return }
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                message.withCString { sendto(fd, $0, strlen($0), Int32(MSG_NOSIGNAL), sa, length) }
            }
        }
    }
}
