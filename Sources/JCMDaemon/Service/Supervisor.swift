import Foundation
import JCMCore
import JCMCurl
import Logging
import ServiceLifecycle
import UnixSignals

/// The last service of the daemon's group, so the first to stop: it runs the sources of the
/// configuration in force (a group of their own, replaced on a good reload), tells systemd what
/// the daemon does (READY=, STATUS=, WATCHDOG=, RELOADING=, STOPPING=) and takes SIGHUP.
///
/// Everything reaches it as an event on one stream, so its state (the configuration, the
/// sources running) is a local of `run()` that only this task touches.
struct Supervisor: Service {
    enum Event: Sendable {
        case tick
        case reload
        case metricsListening
        case sourcesEnded(generation: Int, error: (any Error)?)
        case stop
    }

    let initial: Daemon.Loaded
    let parts: Daemon.Parts
    let reload: (@Sendable () throws -> Config)?
    let events: AsyncStream<Event>
    let post: AsyncStream<Event>.Continuation
    let trapsHangup: Bool

    func run() async throws {
        let watchdog = SystemdNotify.watchdogInterval()
        let ticker = Ticker(name: "notify", every: watchdog ?? 10) { [post] in post.yield(.tick) }
        defer { ticker.stop() }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            if trapsHangup {
                tasks.addTask { [post, logger = parts.logger] in
                    for await _ in await UnixSignalsSequence(trapping: .sighup) {
                        logger.info("signal received: reloading the configuration", metadata: ["signal": "SIGHUP"])
                        post.yield(.reload)
                    }
                }
            }
            defer { tasks.cancelAll() }
            try await withTaskCancellationHandler {
                try await withGracefulShutdownHandler {
                    try await loop(watchdog: watchdog)
                } onGracefulShutdown: { [post] in
                    post.yield(.stop)
                }
            } onCancel: { [post] in
                post.yield(.stop)
            }
        }
    }

    private func loop(watchdog: Double?) async throws {
        var config = initial.config
        var running = start(initial, generation: 1)
        var generation = 1
        var ready = false
        var reloading: Daemon.Loaded?
        var stopping = false
        let logger = parts.logger
        logger.info(
            "jcm-ingestd running",
            metadata: [
                "meters.polled": "\(running.polled)", "meters": "\(config.meters.count)",
                "folders": "\(config.watches.count)", "uploads": "\(config.uploads.count)",
            ])
        if config.isEmpty { logger.notice("\(Config.nothingConfiguredMessage)") }
        // Making the sources (10,000 meters' targets) allocated in this task's thread's malloc
        // arena; what it freed goes back rather than staying with the daemon.
        _ = releaseFreedMemory(0)
        // With /metrics configured, ready means answering there too.
        if config.metricsListen == nil {
            ready = true
            SystemdNotify.send("READY=1\n" + status(config, running))
        }
        for await event in events {
            switch event {
            case .tick:
                SystemdNotify.send(status(config, running) + (watchdog != nil ? "\nWATCHDOG=1" : ""))
            case .metricsListening:
                if !ready {
                    ready = true
                    SystemdNotify.send("READY=1\n" + status(config, running))
                }
            case .reload:
                guard !stopping, reloading == nil, let next = loaded(after: config) else { continue }
                SystemdNotify.send("RELOADING=1")
                reloading = next
                if let group = running.group {
                    await group.triggerGracefulShutdown()
                } else {
                    post.yield(.sourcesEnded(generation: generation, error: nil))
                }
            case .sourcesEnded(let ended, let error):
                guard ended == generation else { continue }
                running.group = nil
                if stopping { return }
                if let next = reloading {
                    reloading = nil
                    config = next.config
                    parts.intake.redactor = PollSecrets.redactor(next.config, next.security)
                    parts.writer.submit(.reconfigure(next.config))
                    generation += 1
                    running = start(next, generation: generation)
                    logger.info(
                        "configuration reloaded",
                        metadata: [
                            "meters.polled": "\(running.polled)", "meters": "\(next.config.meters.count)",
                            "folders": "\(next.config.watches.count)",
                        ])
                    if next.config.isEmpty { logger.notice("\(Config.nothingConfiguredMessage)") }
                    SystemdNotify.send("READY=1")
                } else if let error {
                    // A source died: the daemon stops (exit non-zero, systemd restarts it).
                    throw error
                }
            case .stop:
                guard !stopping else { continue }
                stopping = true
                logger.info(
                    "stopping: sources first, then the writer drains", metadata: ["backlog": "\(parts.writer.backlog)"])
                SystemdNotify.send("STOPPING=1")
                guard let group = running.group else { return }
                await group.triggerGracefulShutdown()
            }
        }
    }

    /// One configuration's sources, running.
    private struct Running {
        var group: ServiceGroup?
        var polled: Int
    }

    private func start(_ loaded: Daemon.Loaded, generation: Int) -> Running {
        let sources = Daemon.Sources.make(
            loaded.config, security: loaded.security,
            uploads: Daemon.Uploads(secrets: loaded.uploads, conninfo: parts.conninfo, metrics: parts.metrics),
            writer: parts.writer, intake: parts.intake, received: parts.received, logger: parts.logger)
        guard !sources.services.isEmpty else { return Running(group: nil, polled: sources.polled) }
        let group = ServiceGroup(
            configuration: .init(services: sources.services, logger: MetricsServer.quiet(parts.logger)))
        // Detached: a group run inside this service's task would listen for the daemon group's
        // graceful shutdown through an unstructured task on Swift's global pool, which whoever
        // blocks that pool (tests do) could keep its stop from ever finishing. The supervisor
        // stops this group itself, in its turn.
        Task.detached(executorPreference: parts.executor) { [post] in
            do {
                try await group.run()
                post.yield(.sourcesEnded(generation: generation, error: nil))
            } catch {
                post.yield(.sourcesEnded(generation: generation, error: error))
            }
        }
        return Running(group: group, polled: sources.polled)
    }

    private func status(_ config: Config, _ running: Running) -> String {
        parts.status(polled: running.polled, folders: config.watches.count, nothingConfigured: config.isEmpty).line()
    }

    /// SIGHUP: the configuration read again. A bad one is reported and the old one stays.
    private func loaded(after config: Config) -> Daemon.Loaded? {
        guard let reload else { return nil }
        do {
            let next = try Daemon.Loaded(try reload())
            if next.config.database != config.database || next.config.daemon.stateDir != config.daemon.stateDir
                || next.config.metricsListen != config.metricsListen
            {
                parts.logger.warning(
                    "reload: [database], daemon.state_dir and [metrics] take effect at the next restart")
            }
            return next
        } catch {
            parts.logger.error(
                "reload refused; the running configuration stays in force", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
