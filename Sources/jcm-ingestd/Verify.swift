import ArgumentParser
import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute the ledger from the rows: report anything added, changed or deleted behind the daemon's back.",
        discussion: """
            Checks every project's chain (order, previous hashes, chain hashes, Ed25519 signatures), then every batch, \
            reading and rejection against the digest its link sealed. Exit 0: intact; 1: something was found (each \
            finding on its own line). docs/verification.md shows how to check the same with psql alone.
            """)

    @OptionGroup var options: ConfigOption

    @Option(help: ArgumentHelp("Only this project's chain and records.", valueName: "id"))
    var project: String?

    @Option(help: ArgumentHelp("Only batches received at or after this instant (RFC 3339); chains are checked whole.", valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("Only batches received before this instant (RFC 3339).", valueName: "time"))
    var to: String?

    @Option(help: ArgumentHelp("Trust only signatures by this Ed25519 public key (64 hex digits, as `jcm-ingestd key` prints).", valueName: "hex"))
    var publicKey: String?

    func run() throws {
        let config = try options.load()
        let logger = try options.logger(config)
        var scope = LedgerVerifier.Scope(project: project, from: try from.map { try instant($0, "from") }, to: try to.map { try instant($0, "to") })
        if let publicKey {
            guard let key = LedgerDigest.bytes(hex: publicKey), key.count == 32 else { throw ValidationError("--public-key: expected 64 hex digits") }
            scope.pinnedKey = key
        }
        let target = try DatabaseTarget.resolve(config, logger: logger)
        defer { target.stop(logger: logger) }
        let started = Date()
        let verifier = try LedgerVerifier(conninfo: target.conninfo, scope: scope) { print($0) }
        verifier.note = { print("note: " + $0) }
        let s = try verifier.run()
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
