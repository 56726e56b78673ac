import ArgumentParser
import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Metrics

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon: poll meters, watch folders, write to PostgreSQL until SIGTERM or SIGINT.",
        discussion:
            "Applies schema migrations at start. With no database.url (and no PGHOST/PGSERVICE), starts and later stops the embedded PostgreSQL cluster under daemon.state_dir."
    )

    @OptionGroup var options: ConfigOption

    func run() throws {
        DefaultExecutor.install()
        MallocArenas.limit()
        let config = try options.load()
        let logger = try options.logger(config)
        // Block the signals the daemon takes in every thread, before any starts: libdispatch
        // reads them through a signalfd for the service group (SIGTERM, SIGINT) and the
        // supervisor (SIGHUP), which only works while no thread can take them instead.
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)

        let target = try DatabaseTarget.resolve(config, logger: logger)
        defer { target.stop(logger: logger) }
        let options = self.options
        let daemon = Daemon(config: config, conninfo: target.conninfo, logger: logger, reload: { try options.load() })
        // Whatever counts through swift-metrics lands on the daemon's own /metrics.
        MetricsSystem.bootstrap(daemon.metrics.factory)
        try daemon.run(trappingSignals: true)
    }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Parse and check the configuration; list every problem with its key and line.")

    @OptionGroup var options: ConfigOption

    func run() throws {
        let config = try options.load()
        let polled = config.meters.filter { $0.poll != nil }.count
        let backfilled = config.meters.filter { $0.poll?.backfill != nil }.count
        print(
            "\(options.config): OK: \(config.projects.count) projects, \(config.meters.count) meters (\(polled) polled, \(backfilled) backfilled), "
                + "\(config.watches.count) watched folders, \(config.uploads.count) upload sources")
        // Paths as the daemon will use them: relative ones are resolved against the configuration's folder.
        print("state_dir: \(config.daemon.stateDir)")
        for w in config.watches { print("watch: \(w.dir) (processed: \(w.processedDir), rejected: \(w.rejectedDir))") }
        for p in config.projects { if let c = p.calculation { print("calculation of \(p.id): \(c)") } }
        if config.isEmpty { print(Config.nothingConfiguredMessage) }
    }
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the schema migrations to the configured database.")

    @OptionGroup var options: ConfigOption

    func run() throws {
        let config = try options.load()
        let logger = try options.logger(config)
        let target = try DatabaseTarget.resolve(config, logger: logger)
        defer { target.stop(logger: logger) }
        let applied = try Migrator.migrate(try Connection(conninfo: target.conninfo), logger: logger)
        print(
            applied.isEmpty
                ? "schema is up to date" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))")
    }
}
