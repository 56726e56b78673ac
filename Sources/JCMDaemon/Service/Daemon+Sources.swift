import Foundation
import JCMCore
import JCMCurl
import Logging
import ServiceLifecycle

extension Daemon {
    /// The sources of one configuration (poller, folder watcher, upload poller, backfiller), each
    /// a `Service` on a thread of its own, run as one group: started together, stopped together
    /// (at shutdown, and around a reload). One that dies takes the daemon down with it (exit
    /// non-zero: systemd restarts it), rather than leaving a daemon that looks alive and
    /// collects nothing.
    struct Sources {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var polled = 0

        static func make(
            _ config: Config, security: [String: TransferSecurity], uploads: Uploads, writer: IngestWriter,
            intake: PollIntake, received: PollCount, logger: Logger
        ) -> Sources {
            var sources = Sources()
            let enqueue: @Sendable ([PollResult]) -> Void = { results in
                received.add(results.count)
                intake.enqueue(results)
            }
            var watcher: FolderWatcher?
            var uploader: UploadPoller?
            if !config.watches.isEmpty {
                let w = FolderWatcher(watches: config.watches, logger: logger) { path, watch in
                    writer.submit(.report(path: path, watch: watch, origin: nil))
                }
                watcher = w
                sources.add(ThreadService(name: "watcher", body: { try w.run() }, stop: { w.stop() }), logger)
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
                sources.add(ThreadService(name: "uploads", body: { u.run() }, stop: { u.stop() }), logger)
            }
            // A download handed over by the uploader of an earlier configuration (before a reload)
            // is remembered by this one when it is done: its job carries its origin.
            writer.onReportDone = { [weak watcher, weak uploader] path, origin in
                watcher?.finished(path)
                if let origin { uploader?.finished(origin) }
            }
            let shared = config.sharedPolls  // multi-meter sources: one poll, several meters
            let riders = Set(shared.values.joined())
            let targets = pollTargets(
                config, shared: shared, riders: riders, security: security, validators: writer.validatorsByMeter)
            warnAboutCredentials(config, logger)
            sources.polled = targets.count + riders.count + config.meters.filter { $0.poll?.isWindowed ?? false }.count
            if Backfiller.needed(by: config) {
                let b = Backfiller(
                    config: config, security: security, logger: logger,
                    deliver: { result in
                        var redacted = result
                        redacted.response = intake.redacted(result.response)
                        writer.submit(.backfill(redacted))
                    },
                    deliverPolls: enqueue, mayPoll: intake.mayPoll)
                writer.backfill.attach(b)
                // A history request in flight is cut off within about a second (libcurl's progress
                // callback asks). Its gap stays pending (WriterBackfill) until written, so an exit
                // before then loses nothing.
                sources.add(
                    ThreadService(
                        name: "backfiller", body: { b.run() }, stop: { writer.backfill.detach() },
                        giveUpAfter: .seconds(5),
                        onGiveUp: {
                            logger.warning(
                                "a history request did not stop within 5 s; going on without it (its gap stays pending)"
                            )
                        }), logger)
            }
            if !targets.isEmpty {
                let limits = ConnectionLimits(
                    maxConnections: config.daemon.maxConnections,
                    maxConnectionsPerHost: config.daemon.maxConnectionsPerHost)
                let p = MeterPoller(
                    targets: targets, limits: limits, logger: logger, mayPoll: intake.mayPoll, deliver: enqueue)
                sources.add(ThreadService(name: "poller", body: { try p.run() }, stop: { p.stop() }), logger)
            }
            return sources
        }

        /// A source that returns on its own is done (an empty folder list, say); one that throws
        /// stops the daemon, said in the log as what stopped.
        private mutating func add(_ service: ThreadService, _ logger: Logger) {
            let logged = ThreadService(
                name: service.name,
                body: {
                    do { try service.body() } catch {
                        logger.critical("\(service.name) stopped; stopping", metadata: ["error": "\(error)"])
                        throw error
                    }
                }, stop: service.stop, giveUpAfter: service.giveUpAfter, onGiveUp: service.onGiveUp)
            services.append(
                .init(
                    service: logged, successTerminationBehavior: .ignore,
                    failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: service.name))
        }

        /// Meters polled on their own schedule: not the windowed ones (the backfiller's), nor the
        /// riders of a multi-meter source (one poll, several meters).
        private static func pollTargets(
            _ config: Config, shared: [String: [String]], riders: Set<String>, security: [String: TransferSecurity],
            validators: [String: (etag: String?, lastModified: String?)]
        ) -> [PollTarget] {
            var targets: [PollTarget] = []
            targets.reserveCapacity(config.meters.count)  // kept by the poller: not grown by doubling
            for m in config.meters {
                guard let p = m.poll, !p.isWindowed, !riders.contains(m.id) else { continue }
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
                targets.append(target)
            }
            return targets
        }

        private static func warnAboutCredentials(_ config: Config, _ logger: Logger) {
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
