import ArgumentParser
import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres

struct Correct: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record a correction of a stored reading, sealed in the ledger (a reading itself never changes).",
        discussion: """
            The correction names the reading by meter, time and batch, and gives its new value in the meter's unit, or \\
            --exclude to leave it out of a period's values. It is written and sealed like readings (docs/verification.md); \\
            a correction inserted any other way (SQL) is in no link, and verify names it.
            """)

    @OptionGroup var options: ConfigOption
    @Option(help: ArgumentHelp("The meter's id.", valueName: "id")) var meter: String
    @Option(help: ArgumentHelp("The reading's time (RFC 3339).", valueName: "time")) var ts: String
    @Option(help: ArgumentHelp("The batch that stored the reading.", valueName: "id")) var batch: Int64
    @Option(help: ArgumentHelp("The corrected value, in the meter's unit.", valueName: "decimal")) var value: String?
    @Flag(help: "Leave the reading out instead.") var exclude = false
    @Option(help: ArgumentHelp("Why.", valueName: "text")) var reason: String
    @Option(help: ArgumentHelp("Who (default: $USER).", valueName: "name")) var author: String?

    func run() throws {
        guard (value != nil) != exclude else { throw ValidationError("give --value or --exclude") }
        if let value, ExactDecimal(parsing: value) == nil { throw ValidationError("--value: not a decimal: \(value)") }
        let at = try instant(ts, "ts")
        let config = try options.load()
        let logger = try options.logger(config)
        let target = try DatabaseTarget.resolve(config, logger: logger)
        defer { target.stop(logger: logger) }
        let context = try IngestContext.open(conninfo: target.conninfo, config: config, logger: logger)
        let ids = try context.store.insertCorrections([
            [
                "meter_id": meter, "ts": at.description, "batch": String(batch), "value": value, "reason": reason,
                "author": author ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown",
            ]
        ])
        print("correction \(ids[0]) recorded and sealed")
    }
}
