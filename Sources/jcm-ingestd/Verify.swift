import ArgumentParser
import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Logging

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute the ledger from the rows: report anything added, changed or deleted behind the daemon's back.",
        discussion: """
            Checks every project's chain (order, previous hashes, chain hashes, Ed25519 signatures, links no signature \
            covers), then every batch, reading and rejection against the digest its link sealed. Findings are printed one \
            line per kind and chain, with how many and the first and last place (--all: every one). Exit 0: intact; 1: \
            findings; 2: could not check (configuration, connection, permission). The database: --conninfo, else the \
            configuration's, else libpq's PG* environment. docs/verification.md shows how to check the same with psql alone.
            """)

    @Option(name: .shortAndLong, help: ArgumentHelp("Configuration file (TOML); not needed with --conninfo or PG* variables.", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("libpq conninfo or URI of the database (a read-only role is enough).", valueName: "conninfo"))
    var conninfo: String?

    @Option(help: ArgumentHelp("Only this project's chain and records.", valueName: "id"))
    var project: String?

    @Option(help: ArgumentHelp("Only batches received at or after this instant (RFC 3339); chains are checked whole.", valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("Only batches received before this instant (RFC 3339).", valueName: "time"))
    var to: String?

    @Option(help: ArgumentHelp("Trust only signatures by this Ed25519 public key (64 hex digits, as `jcm-ingestd key` prints).", valueName: "hex"))
    var publicKey: String?

    @Flag(help: "Print every finding on its own line, not one line per kind and chain.")
    var all = false

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
        var scope = LedgerVerifier.Scope(project: project, from: try from.map { try instant($0, "from") }, to: try to.map { try instant($0, "to") })
        if let publicKey {
            guard let key = LedgerDigest.bytes(hex: publicKey), key.count == 32 else { throw ValidationErrorMessage("--public-key: expected 64 hex digits") }
            scope.pinnedKey = key
        }
        let (target, logger) = try database()
        defer { target.stop(logger: logger) }
        let started = Date()
        var groups = LedgerFindingGroups()
        let all = self.all
        let verifier = try LedgerVerifier(conninfo: target.conninfo, scope: scope) { if all { print($0) } }
        verifier.note = { print("note: " + $0) }
        verifier.onFinding = { groups.add($0) }
        let s = try verifier.run()
        if !all { groups.lines.forEach { print($0) } }
        let seconds = Date().timeIntervalSince(started)
        let checked = "\(s.projects) chains, \(s.links) links, \(s.batches) batches, \(s.readings) readings, \(s.rejections) rejections"
            + (s.unsealedBatches > 0 ? " (\(s.unsealedBatches) batches older than the ledger not covered)" : "")
            + String(format: " in %.1f s", seconds)
        if s.findings == 0 {
            print("intact: \(checked)")
        } else {
            print("NOT INTACT: \(s.findings) findings; checked \(checked)")
            throw ExitCode(1)
        }
    }

    /// --conninfo; else the configuration (given, or the default file when it exists); else
    /// libpq's environment (PGHOST, PGSERVICE, …) with no configuration at all.
    private func database() throws -> (DatabaseTarget, Logger) {
        if let conninfo { return (DatabaseTarget.direct(conninfo), Log.make(level: "warning")) }
        let path = config ?? "/etc/jcm-ingestd/config.toml"
        if config != nil || FileManager.default.fileExists(atPath: path) {
            var options = ConfigOption()
            options.config = path
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
        abstract: "Print the ledger's Ed25519 public key (made on first use under daemon.state_dir/ledger/).",
        discussion: "Give it to verifiers out of band: `jcm-ingestd verify --public-key HEX` then trusts only signatures by it.")

    @OptionGroup var options: ConfigOption

    func run() throws {
        let config = try options.load()
        let signer = try SigningKeyFile.load(stateDir: config.daemon.stateDir)
        print("ed25519 \(LedgerDigest.hex(signer.publicKey))")
        print("fingerprint \(LedgerSigner.fingerprint(signer.publicKey))")
        print("file \(SigningKeyFile.path(stateDir: config.daemon.stateDir))")
    }
}
