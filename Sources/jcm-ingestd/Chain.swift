import ArgumentParser
import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres

struct Chain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Look at the ledger's chains, and resume one the daemon halted on a head it did not write.",
        subcommands: [Status.self, Resume.self])

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Each chain's head, its unsigned links on top, and the last link this writer (daemon.state_dir) wrote to it."
        )

        @OptionGroup var options: ConfigOption

        func run() throws {
            let config = try options.load()
            let logger = try options.logger(config)
            let target = try DatabaseTarget.resolve(config, logger: logger)
            defer { target.stop(logger: logger) }
            let store = try ReadingStore(
                db: try Connection(conninfo: target.conninfo),
                signer: try SigningKeyFile.load(stateDir: config.daemon.stateDir, create: false))
            let database = try store.db.query("select id::text from jcm.database_identity order by created_at limit 1")
                .first?.string(0)
            let heads = ChainHeadGuard(
                file: ChainHeadGuard.path(stateDir: config.daemon.stateDir), trusted: [], database: database)
            for project in try store.db.query("select distinct project from jcm.ledger order by 1").map({
                try $0.string(0)
            }) {
                let (head, foreign) = try store.chainHead(project)
                let mine = heads.lastWritten(project)
                var line = "\(project.isEmpty ? "(no project)" : project)\thead #\(head?.seq ?? 0)"
                line += "\tlast written here #\(mine.map { String($0.seq) } ?? "-")"
                if let foreign { line += "\tUNSIGNED links #\(foreign.lowerBound)…#\(foreign.upperBound)" }
                print(line)
            }
        }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Record, signed in the chain, that the head a halted chain stopped on was investigated; the daemon then extends it.",
            discussion: """
                Run it after the investigation (docs/verification.md, "Resuming a halted chain"). --head names the head you \
                investigated: if the chain moved since, nothing is written. The resolution is a batch of kind 'resolution' \
                sealed and signed on top of that head, with your reason and name; verify prints it beside the links it \
                acknowledges. It changes no reading: exclude forged readings with corrections.
                """)

        @OptionGroup var options: ConfigOption
        @Option(
            help: ArgumentHelp("The project whose chain to resume ('' for records of no project).", valueName: "id"))
        var project: String
        @Option(
            help: ArgumentHelp(
                "The seq of the chain's head as investigated (`chain status` shows it).", valueName: "seq")) var head:
            Int64
        @Option(help: ArgumentHelp("What was found and done.", valueName: "text")) var reason: String
        @Option(help: ArgumentHelp("Who resolves it (default: $USER).", valueName: "name")) var author: String?

        func run() throws {
            let config = try options.load()
            let logger = try options.logger(config)
            let target = try DatabaseTarget.resolve(config, logger: logger)
            defer { target.stop(logger: logger) }
            let store = try ReadingStore(
                db: try Connection(conninfo: target.conninfo),
                signer: try SigningKeyFile.load(stateDir: config.daemon.stateDir, create: false))
            let (current, foreign) = try store.chainHead(project)
            guard let current, current.seq == head else {
                throw ValidationError(
                    "chain \(project)'s head is #\(current?.seq ?? 0), not #\(head): look again (`jcm-ingestd chain status`)"
                )
            }
            let author = author ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
            let batch = try store.resolve(
                ChainResolution(project: project, head: current, foreign: foreign, reason: reason, author: author))
            print(
                "resolved chain \(project) on head #\(head)\(foreign.map { " (unsigned links #\($0.lowerBound)…#\($0.upperBound) acknowledged)" } ?? ""): batch \(batch), signed; the daemon resumes within 10 s"
            )
        }
    }
}
