import ArgumentParser
import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres

struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Resolve a counter step that `report` holds: a rollover, a reset, a real step (confirmed) or a meter replacement.",
        discussion: """
            Appends a row to jcm.corrections naming the reading that closes the step, sealed in the ledger like a reading; no reading changes. \
            A replacement gives the old register's final reading and the new register's start: the step is credited \
            (old_final - previous) + (value - new_start). docs/methodologies.md, "Held steps".
            """)

    @OptionGroup var options: ConfigOption
    @Option(help: ArgumentHelp("Meter id.", valueName: "id")) var meter: String
    @Option(
        help: ArgumentHelp(
            "Time of the reading that closes the step (RFC 3339 with offset), as the report's steps list it.",
            valueName: "time"))
    var at: String
    @Option(
        name: .customLong("as"), help: ArgumentHelp("rollover, reset, confirmed or replacement.", valueName: "kind"))
    var kind: String
    @Option(
        help: ArgumentHelp("Replacement: the old register's final reading, in the meter's unit.", valueName: "value"))
    var oldFinal: String?
    @Option(
        help: ArgumentHelp(
            "Replacement: the new register's reading when fitted, in the meter's unit.", valueName: "value"))
    var newStart: String?
    @Option(help: ArgumentHelp("Why: the evidence (work order, photo, site log).", valueName: "text")) var reason:
        String
    @Option(help: ArgumentHelp("Who resolves it (default: the login name).", valueName: "name")) var author: String?

    func run() throws {
        guard let k = StepResolution.Kind(rawValue: kind) else {
            throw ValidationError(
                "--as: \(kind) is not one of \(StepResolution.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        func decimal(_ s: String?, _ option: String) throws -> ExactDecimal? {
            guard let s else { return nil }
            guard let d = ExactDecimal(parsing: s) else {
                throw ValidationError("--\(option): \(s) is not a decimal number")
            }
            return d
        }
        let config = try options.load()
        let logger = try options.logger(config)
        let target = try DatabaseTarget.resolve(config, logger: logger)
        defer { target.stop(logger: logger) }
        let context = try IngestContext.open(conninfo: target.conninfo, config: config, logger: logger)
        let who =
            author ?? ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.environment["USER"]
            ?? "unknown"
        let r = StepResolution(
            meter: meter, at: try instant(at, "at"), kind: k, oldFinal: try decimal(oldFinal, "old-final"),
            newStart: try decimal(newStart, "new-start"), reason: reason, author: who)
        let row = try PeriodStore(db: try Connection(conninfo: target.conninfo)).correctionRow(r)
        let id = try context.store.insertCorrections([row])[0]
        print("resolved the step of \(meter) at \(r.at) as \(k.rawValue): correction \(id), sealed in the ledger")
    }
}
