import Foundation
import JCMCore
import JCMCurl
import Logging

extension Daemon {
    /// The poller and the folder watcher of one configuration: started together, stopped
    /// together (at shutdown, and around a reload).
    struct Sources {
        var poller: (MeterPoller, DispatchSemaphore)?
        var watcher: (FolderWatcher, DispatchSemaphore)?
        var backfiller: (Backfiller, DispatchSemaphore, IngestWriter)?
        var uploader: (UploadPoller, DispatchSemaphore)?
        var polled = 0

        static func start(
            _ config: Config, security: [String: TransferSecurity], uploads: Uploads, writer: IngestWriter,
            intake: PollIntake, logger: Logger,
            fail: @escaping @Sendable (String, Error) -> Void
        ) -> Sources {
            var sources = Sources()
            var watcher: FolderWatcher?
            var uploader: UploadPoller?
            if !config.watches.isEmpty {
                let w = FolderWatcher(watches: config.watches, logger: logger) { path, watch in
                    writer.submit(.report(path: path, watch: watch, origin: nil))
                }
                watcher = w
                sources.watcher = (
                    w,
                    Daemon.spawn("watcher") {
                        do { try w.run() } catch { fail("folder watcher stopped", error) }
                    }
                )
            }
            if !config.uploads.isEmpty {
                // Its own thread: listings and downloads block, and a slow server must not hold up the meters.
                let u = UploadPoller(
                    uploads: config.uploads, stateDir: config.daemon.stateDir, secrets: uploads.secrets,
                    conninfo: uploads.conninfo,
                    logger: logger, metrics: uploads.metrics, isPending: writer.isDownloadPending
                ) { path, folders, origin in
                    writer.submit(.report(path: path, watch: folders, origin: origin))
                }
                uploader = u
                sources.uploader = (u, Daemon.spawn("uploads") { u.run() })
            }
            // A download handed over by the uploader of an earlier configuration (before a reload)
            // is remembered by this one when it is done: its job carries its origin.
            writer.onReportDone = { [weak watcher, weak uploader] path, origin in
                watcher?.finished(path)
                if let origin { uploader?.finished(origin) }
            }
            let validators = writer.validatorsByMeter
            let shared = config.sharedPolls  // multi-meter sources: one poll, several meters
            let riders = Set(shared.values.joined())
            let targets = config.meters.compactMap { m -> PollTarget? in
                // windowed: the backfiller's
                guard let p = m.poll, !p.isWindowed, !riders.contains(m.id) else { return nil }
                var target = PollTarget(
                    meterID: m.id, url: p.url,
                    schedule: PollSchedule(intervalMs: p.intervalMilliseconds, meterID: m.id),
                    connectTimeoutMs: Int(p.connectTimeoutMilliseconds), timeoutMs: Int(p.timeoutMilliseconds),
                    maxBytes: p.maxResponseBytes,
                    backoffCapMs: p.backoffMaxMilliseconds, etag: validators[m.id]?.etag,
                    lastModified: validators[m.id]?.lastModified,
                    security: security[m.id] ?? TransferSecurity(), conditional: p.readingsCarryTheirTime,
                    redirects: p.body == nil ? p.redirects : .none)  // a POST is not sent again elsewhere
                target.headers = p.requestHeaders
                target.body = p.body
                target.alsoFor = shared[m.id] ?? []
                return target
            }
            for m in config.meters where m.poll.map({ $0.auth.kind != .none && $0.url.hasPrefix("http://") }) ?? false {
                logger.warning(
                    "credentials are sent over plain http to this meter: anyone on the network path can read them",
                    metadata: ["meter.id": "\(m.id)", "auth.type": "\(m.poll!.auth.kind.rawValue)"])
            }
            for m in config.meters where m.poll?.tls.verify == false {
                logger.warning(
                    "TLS verification is off for this meter (tls.verify = false): its gateway is not authenticated",
                    metadata: ["meter.id": "\(m.id)"])
            }
            sources.polled = targets.count + riders.count + config.meters.filter { $0.poll?.isWindowed ?? false }.count
            if Backfiller.needed(by: config) {
                let b = Backfiller(
                    config: config, security: security, logger: logger,
                    deliver: { result in
                        var redacted = result
                        redacted.response = intake.redacted(result.response)
                        writer.submit(.backfill(redacted))
                    },
                    deliverPolls: intake.enqueue, mayPoll: intake.mayPoll)
                sources.backfiller = (b, Daemon.spawn("backfiller") { b.run() }, writer)
                writer.backfill.attach(b)
            }
            if !targets.isEmpty {
                let limits = ConnectionLimits(
                    maxConnections: config.daemon.maxConnections,
                    maxConnectionsPerHost: config.daemon.maxConnectionsPerHost)
                let p = MeterPoller(
                    targets: targets, limits: limits, logger: logger, mayPoll: intake.mayPoll, deliver: intake.enqueue)
                sources.poller = (
                    p,
                    Daemon.spawn("poller") {
                        do { try p.run() } catch { fail("poller stopped", error) }
                    }
                )
            }
            return sources
        }

        /// Stops both and waits for their threads; what they handed over stays with the writer.
        func stop() {
            poller?.0.stop()
            watcher?.0.stop()
            backfiller?.2.backfill.detach()
            uploader?.0.stop()
            poller?.1.wait()
            watcher?.1.wait()
            uploader?.1.wait()
            // A history request in flight is cut off within about a second (libcurl's progress
            // callback asks). Its gap stays pending (WriterBackfill) until written, so an exit
            // before then loses nothing.
            if let (b, done, _) = backfiller, done.wait(timeout: .now() + 5) == .timedOut {
                b.logger.warning(
                    "a history request did not stop within 5 s; going on without it (its gap stays pending)")
            }
        }
    }

    /// What the upload poller needs beyond its configuration: secrets read, its own database
    /// connection (it reads what was downloaded before), the daemon's counters.
    struct Uploads {
        var secrets: [String: UploadSecrets.Resolved]
        var conninfo: String
        var metrics: Metrics
    }
}
