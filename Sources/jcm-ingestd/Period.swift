import ArgumentParser
import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres

struct Period: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Declare (and so freeze) a monitoring period, or list the declared ones.",
        subcommands: [Declare.self, List.self])

    struct Declare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Declare a monitoring period of a project; it is frozen on the project's chain head at once.",
            discussion:
                "The same as `insert into jcm.monitoring_periods (project, name, starts, ends)`. A period must have ended and must not overlap another of the project."
        )

        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("Project id.", valueName: "id")) var project: String
        @Option(help: ArgumentHelp("Name of the period, e.g. the monitoring report's number.", valueName: "name"))
        var name: String
        @Option(help: ArgumentHelp("First instant (RFC 3339 with offset).", valueName: "time")) var start: String
        @Option(help: ArgumentHelp("End, exclusive (RFC 3339 with offset).", valueName: "time")) var end: String
        @Option(
            help: ArgumentHelp(
                "IANA time zone of --start and --end written without an offset (a date alone is its midnight).",
                valueName: "zone")) var timezone: String?

        func run() throws {
            let config = try options.load()
            let logger = try options.logger(config)
            let starts = try PeriodDeclaring.instant(start, "start", zone: timezone)
            let ends = try PeriodDeclaring.instant(end, "end", zone: timezone)
            let target = try DatabaseTarget.resolve(config, logger: logger)
            defer { target.stop(logger: logger) }
            let db = try Connection(conninfo: target.conninfo)
            try Migrator.migrate(db, logger: logger)
            let p: MonitoringPeriod
            do {
                p = try PeriodStore(db: db).declare(project: project, name: name, starts: starts, ends: ends)
            } catch let error as PostgresError {
                throw PeriodDeclaring.explain(error, project: project, starts: starts, ends: ends, db: db)
            }
            // The frozen head, signed: kept on disk, in jcm.checkpoints and by the witness, so a
            // rewritten or deleted declaration is found against it (docs/verification.md).
            var files: [String] = []
            if let seq = p.headSeq, let hash = p.headHash.flatMap(LedgerDigest.bytes(hex:)),
                let signer = try? SigningKeyFile.load(stateDir: config.daemon.stateDir, create: false)
            {
                files = try CheckpointWriter(config: config, signer: signer, logger: logger)
                    .write(
                        Checkpoint(project: p.project, size: seq, hash: hash, extensions: ["period \(p.name)"]), db: db)
            }
            // One summary line naming every file written, as `report` does.
            print(
                "declared \(p.project) \(p.name): \(p.starts) – \(p.ends), frozen on \(p.headSeq.map { "link #\($0) (\(p.headHash ?? ""))" } ?? "an empty chain")"
                    + (files.isEmpty ? "; no file written" : "; wrote \(files.joined(separator: ", "))"))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List declared monitoring periods.")

        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("Only this project.", valueName: "id")) var project: String?

        func run() throws {
            let config = try options.load()
            let logger = try options.logger(config)
            let target = try DatabaseTarget.resolve(config, logger: logger)
            defer { target.stop(logger: logger) }
            for p in try PeriodStore(db: try Connection(conninfo: target.conninfo)).periods(project: project) {
                print(
                    "\(p.project)\t\(p.name)\t\(p.starts)\t\(p.ends)\thead \(p.headSeq.map(String.init) ?? "-")\tdeclared \(p.declaredAt) by \(p.declaredBy)"
                )
            }
        }
    }
}

/// An RFC 3339 instant from the command line.
func instant(_ text: String, _ option: String) throws -> Timestamp {
    guard let t = try? TimestampParser().parse(text) else {
        throw ValidationError("--\(option): not an RFC 3339 time with an offset: \(text)")
    }
    return t
}
