import ArgumentParser
import JCMCore

@main
struct JCMIngestd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jcm-ingestd",
        abstract:
            "Collects JCM project monitoring data (polled meters, dropped report files), validates every reading and lands it in PostgreSQL with its provenance.",
        version: Version.string,
        subcommands: [
            Run.self, CheckConfig.self, Migrate.self, Ingest.self, Verify.self, Key.self, CheckpointCommand.self,
            Chain.self,
            Correct.self, Period.self, Report.self, Resolve.self, Status.self, Simulate.self,
        ]
    )
}

/// The `--config` option every command that needs the configuration shares.
struct ConfigOption: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("Configuration file (TOML).", valueName: "path"))
    var config: String = "/etc/jcm-ingestd/config.toml"

    @Option(
        help: ArgumentHelp(
            "Log level: trace, debug, info, notice, warning, error, critical (overrides daemon.log_level).",
            valueName: "level"))
    var logLevel: String?
}
