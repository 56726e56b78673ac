import ArgumentParser
import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Logging

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Recompute the ledger from the rows: report anything added, changed or deleted behind the daemon's back.",
        discussion: """
            Checks every project's chain (order, previous hashes, chain hashes, Ed25519 signatures, links no signature \
            covers), then every batch, reading and rejection against the digest its link sealed. Findings are printed one \
            line per kind and chain, with how many and the first and last place (--all: every one). Exit 0: intact; 1: \
            findings; 2: could not check (configuration, connection, permission). The database: --conninfo, else the \
            configuration's, else libpq's PG* environment. docs/verification.md shows how to check the same with psql alone.
            """)

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("Configuration file (TOML); not needed with --conninfo or PG* variables.", valueName: "path")
    )
    var config: String?

    @Option(
        help: ArgumentHelp("libpq conninfo or URI of the database (a read-only role is enough).", valueName: "conninfo")
    )
    var conninfo: String?

    @Option(help: ArgumentHelp("Only this project's chain and records.", valueName: "id"))
    var project: String?

    @Option(
        help: ArgumentHelp(
            "Only batches received at or after this instant (RFC 3339); chains are checked whole.", valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("Only batches received before this instant (RFC 3339).", valueName: "time"))
    var to: String?

    @Option(
        help: ArgumentHelp(
            "Trust only signatures by this Ed25519 public key (64 hex digits, as `jcm-ingestd key` prints).",
            valueName: "hex"))
    var publicKey: String?

    @Flag(help: "Print every finding on its own line, not one line per kind and chain.")
    var all = false

    @Option(
        help: ArgumentHelp(
            "A signed checkpoint you kept (`jcm-ingestd checkpoint` prints them): each chain must extend it. Repeatable.",
            valueName: "file"))
    var checkpoint: [String] = []

    func run() throws {
        do {
            try check()
        } catch let code as ExitCode {
            throw code
        } catch {
            FileHandle.standardError.write(Data("could not check: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    private func check() throws {
        var scope = LedgerVerifier.Scope(
            project: project, from: try from.map { try instant($0, "from") }, to: try to.map { try instant($0, "to") })
        if let publicKey {
            guard let key = LedgerDigest.bytes(hex: publicKey), key.count == 32 else {
                throw ValidationErrorMessage("--public-key: expected 64 hex digits")
            }
            scope.pinnedKey = key
        }
        let (target, logger) = try database()
        defer { target.stop(logger: logger) }
        let started = Date()
        var groups = LedgerFindingGroups()
        let all = self.all
        var kept: [(note: Checkpoint.Note, source: String)] = []
        for file in checkpoint {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            kept += try Checkpoint.parse(text).map { ($0, file) }
        }
        if let stateDir = daemonStateDir {
            // The daemon's own latest checkpoints, from the state folder: run where the daemon runs.
            kept += try Checkpoint.parse(CheckpointWriter.latest(stateDir: stateDir)).map {
                ($0, "state_dir/checkpoints")
            }
        }
        let verifier = try LedgerVerifier(conninfo: target.conninfo, scope: scope) { if all { print($0) } }
        verifier.checkpoints = kept
        verifier.note = { print("note: " + $0) }
        verifier.onFinding = { groups.add($0) }
        let s = try verifier.run()
        if !all { for line in groups.lines { print(line) } }
        if scope.pinnedKey == nil { Self.printKeys(s.keys) }
        let seconds = Date().timeIntervalSince(started)
        let checked =
            "\(s.projects) chains, \(s.links) links, \(s.batches) batches, \(s.readings) readings, \(s.rejections) rejections, \(s.corrections) corrections"
            + (s.unsealedBatches > 0 ? " (\(s.unsealedBatches) batches older than the ledger not covered)" : "")
            + String(format: " in %.1f s", seconds)
        if s.findings == 0 {
            print("intact: \(checked)")
        } else {
            print("NOT INTACT: \(s.findings) findings; checked \(checked)")
            throw ExitCode(1)
        }
    }

    /// Unpinned, any key in jcm.signing_keys counts: each is listed with what it signed.
    static func printKeys(_ keys: [LedgerVerifier.KeyUse]) {
        for k in keys {
            var line = "key \(k.fingerprint) (ed25519 \(LedgerDigest.hex(k.publicKey))): "
            line += k.firstSigned.map { "first signed \($0), \(k.links) signed links" } ?? "signed no link"
            if let from = k.handoverFrom { line += ", handed over from \(from)" }
            print(line)
        }
        if keys.count > 1 {
            print(
                "warning: \(keys.count) keys in jcm.signing_keys, and without --public-key a signature by any of them counts: pin the key you were given"
            )
        }
    }

    /// --conninfo; else the configuration (given, or the default file when it exists); else
    /// libpq's environment (PGHOST, PGSERVICE, …) with no configuration at all.
    /// The state folder of the configuration given, whose checkpoints `verify --config` checks.
    private var daemonStateDir: String? {
        guard let config, let loaded = try? ConfigOption.parse(["--config", config]).load() else { return nil }
        return loaded.daemon.stateDir
    }

    private func database() throws -> (DatabaseTarget, Logger) {
        if let conninfo { return (DatabaseTarget.direct(conninfo), Log.make(level: "warning")) }
        let path = config ?? "/etc/jcm-ingestd/config.toml"
        if config != nil || FileManager.default.fileExists(atPath: path) {
            let options = try ConfigOption.parse(["--config", path])
            let config = try options.load()
            let logger = try options.logger(config)
            return (try DatabaseTarget.resolve(config, logger: logger), logger)
        }
        let env = ProcessInfo.processInfo.environment
        guard ["PGHOST", "PGHOSTADDR", "PGSERVICE", "PGDATABASE"].contains(where: { env[$0] != nil }) else {
            throw ValidationErrorMessage("no database: give --conninfo, --config, or PGHOST/PGSERVICE/PGDATABASE")
        }
        return (DatabaseTarget.direct(""), Log.make(level: "warning"))
    }
}

struct Key: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the ledger's Ed25519 public key (daemon.state_dir/ledger/signing.key), for verifiers to pin.",
        discussion: """
            Give it to verifiers out of band: `jcm-ingestd verify --public-key HEX` then trusts only signatures by it (and \
            by keys it handed over to). It never makes a key unless told: --create makes one when there is none on disk \
            (the daemon's first start makes one too, when the database has no key yet). Exit 1 when there is no key on \
            disk, or when the database has keys and this is not one of them (a wrong state_dir?). --rotate makes a new \
            key, the old one signing the handover (docs/verification.md); restart the daemon after it.
            """)

    @OptionGroup var options: ConfigOption

    @Flag(help: "Make a key when there is none on disk.")
    var create = false

    @Flag(
        help:
            "Replace the key with a new one; the old key signs the handover in jcm.signing_keys and is kept beside it.")
    var rotate = false

    func run() throws {
        let config = try options.load()
        let logger = try options.logger(config)
        let dir = config.daemon.stateDir
        let target = try DatabaseTarget.resolve(config, logger: logger)
        defer { target.stop(logger: logger) }
        let db = try Connection(conninfo: target.conninfo)
        try Migrator.migrate(db, logger: logger)
        let stored = try db.query("select public_key, fingerprint from jcm.signing_keys order by id").map {
            (key: try $0.bytes(0), fingerprint: try $0.string(1))
        }
        let others = stored.map(\.fingerprint)
        if create {
            guard !SigningKeyFile.exists(stateDir: dir) else {
                throw ValidationErrorMessage(
                    "\(SigningKeyFile.path(stateDir: dir)) already holds a key: --rotate replaces it")
            }
            let signer = try SigningKeyFile.load(stateDir: dir)
            if !others.isEmpty {
                FileHandle.standardError.write(
                    Data(
                        """
                        note: a new writer key beside the \(others.count) in the database (\(others.joined(separator: ", "))); \
                        list it in the other daemons' daemon.ledger_writers, and theirs in this one's\n
                        """.utf8))
            }
            return print(Self.describe(signer, dir: dir))
        }
        guard SigningKeyFile.exists(stateDir: dir) else {
            let hint =
                others.isEmpty
                ? "The daemon makes one at its first start, or"
                : "The database has \(others.count) (\(others.joined(separator: ", "))): is daemon.state_dir right? For a writer of its own,"
            FileHandle.standardError.write(
                Data(
                    "\(SigningKeyFile.path(stateDir: dir)): no signing key. \(hint) run `jcm-ingestd key --create`\n"
                        .utf8))
            throw ExitCode(1)
        }
        let signer = try SigningKeyFile.load(stateDir: dir, create: false)
        if rotate {
            let next = LedgerSigner()
            try KeyHandover.write(from: signer, to: next, db: db)
            try SigningKeyFile.replace(stateDir: dir, with: next)
            print(
                "rotated: \(LedgerSigner.fingerprint(signer.publicKey)) handed over to \(LedgerSigner.fingerprint(next.publicKey)), signed by the old key"
            )
            return print(Self.describe(next, dir: dir))
        }
        print(Self.describe(signer, dir: dir))
        if !stored.isEmpty, !stored.contains(where: { $0.key == signer.publicKey }) {
            FileHandle.standardError.write(
                Data(
                    """
                    this key is not in the database, which has \(others.count) other (\(others.joined(separator: ", "))): it has signed nothing there. \
                    Is daemon.state_dir right?\n
                    """.utf8))
            throw ExitCode(1)
        }
    }

    static func describe(_ signer: LedgerSigner, dir: String) -> String {
        "ed25519 \(LedgerDigest.hex(signer.publicKey))\nfingerprint \(LedgerSigner.fingerprint(signer.publicKey))\nfile \(SigningKeyFile.path(stateDir: dir))"
    }
}

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract:
            "Print the daemon's latest signed checkpoint of each chain (state_dir/checkpoints/), for a verifier to keep.",
        discussion: """
            C2SP tlog-checkpoint notes signed with the ledger's Ed25519 key (signed-note format): origin \
            `jcm-ingestd/PROJECT`, the chain's size (its head's seq), the head's chain hash in base64, and for a period's \
            declaration the line `period NAME`. Keep the output; `jcm-ingestd verify --checkpoint FILE` later proves the \
            chain still extends it. Exit 1 when there is none yet.
            """)

    @OptionGroup var options: ConfigOption

    func run() throws {
        let config = try options.load()
        let text = CheckpointWriter.latest(stateDir: config.daemon.stateDir)
        guard !text.isEmpty else {
            FileHandle.standardError.write(
                Data("no checkpoint yet in \(CheckpointWriter.folder(stateDir: config.daemon.stateDir))\n".utf8))
            throw ExitCode(1)
        }
        print(text, terminator: "")
    }
}
