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
        var polled = 0

        static func start(_ config: Config, security: [String: TransferSecurity], writer: IngestWriter, intake: PollIntake, logger: Logger,
                          fail: @escaping @Sendable (String, Error) -> Void) -> Sources {
            var sources = Sources()
            if !config.watches.isEmpty {
                let w = FolderWatcher(watches: config.watches, logger: logger) { path, watch in
                    writer.submit(.report(path: path, watch: watch))
                }
                writer.onReportDone = { [weak w] path in w?.finished(path) }
                sources.watcher = (w, Daemon.spawn("watcher") {
                    do { try w.run() } catch { fail("folder watcher stopped", error) }
                })
            }
            let validators = writer.validatorsByMeter
            let targets = config.meters.compactMap { m -> PollTarget? in
                guard let p = m.poll else { return nil }
                return PollTarget(meterID: m.id, url: p.url, schedule: PollSchedule(intervalMs: p.intervalMilliseconds, meterID: m.id),
                                  connectTimeoutMs: Int(p.connectTimeoutMilliseconds), timeoutMs: Int(p.timeoutMilliseconds), maxBytes: p.maxResponseBytes,
                                  backoffCapMs: p.backoffMaxMilliseconds, etag: validators[m.id]?.etag, lastModified: validators[m.id]?.lastModified,
                                  security: security[m.id] ?? TransferSecurity(), conditional: p.prometheus == nil && p.json.timestamp != nil,
                                  redirects: p.redirects)
            }
            for m in config.meters where m.poll.map({ $0.auth.kind != .none && $0.url.hasPrefix("http://") }) ?? false {
                logger.warning("credentials are sent over plain http to this meter: anyone on the network path can read them",
                               metadata: ["meter.id": "\(m.id)", "auth.type": "\(m.poll!.auth.kind.rawValue)"])
            }
            for m in config.meters where m.poll?.tls.verify == false {
                logger.warning("TLS verification is off for this meter (tls.verify = false): its gateway is not authenticated",
                               metadata: ["meter.id": "\(m.id)"])
            }
            sources.polled = targets.count
            if !targets.isEmpty {
                let limits = ConnectionLimits(maxConnections: config.daemon.maxConnections, maxConnectionsPerHost: config.daemon.maxConnectionsPerHost)
                let p = MeterPoller(targets: targets, limits: limits, logger: logger, mayPoll: intake.mayPoll, deliver: intake.deliver)
                sources.poller = (p, Daemon.spawn("poller") {
                    do { try p.run() } catch { fail("poller stopped", error) }
                })
            }
            return sources
        }

        /// Stops both and waits for their threads; what they handed over stays with the writer.
        func stop() {
            poller?.0.stop()
            watcher?.0.stop()
            poller?.1.wait()
            watcher?.1.wait()
        }
    }
}
