import ArgumentParser
import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Show every meter's last reading, state, completeness and calibration, the spool, chain heads and the last checkpoint.",
        discussion: """
            Reads jcm.meter_status and jcm.chain_heads (docs/schema.md), the spool's files under daemon.state_dir and, \
            when [metrics] listen is set, the running daemon's /metrics. Changes nothing. STATE is up, down since …, late \
            (newest reading older than 3 expected intervals), no data, or report-fed. TODAY is completeness since 00:00 UTC; \
            PERIOD since the end of the project's last declared period, else its monitoring_start.
            """)

    @OptionGroup var options: ConfigOption

    @Flag(help: "Print one JSON document instead of the table.")
    var json = false

    func run() throws {
        let config = try options.load()
        let logger = try options.logger(config)
        let target = try DatabaseTarget.resolve(config, logger: logger)
        defer { target.stop(logger: logger) }
        let db = try Connection(conninfo: target.conninfo)
        // Read-only: a verifier's role can run it, so the schema is not migrated here.
        let report: StatusReport
        do {
            report = try StatusGatherer.gather(config, db: db)
        } catch let error as PostgresError where error.sqlState == "42P01" {
            throw ValidationErrorMessage(
                "the database has no jcm.meter_status yet (schema older than version 11): "
                    + "run `jcm-ingestd migrate` or restart the daemon, which migrates at start (\(error.message))")
        }
        print(json ? report.json : report.text, terminator: "")
    }
}
