import Foundation
import JCMCore
import JCMPostgres
import Testing

@testable import JCMDaemon

/// `jcm-ingestd key` never makes a key behind the operator's back, unpinned `verify` shows every
/// key that signed, and a rotation is a handover signed by the old key.
@Suite("signing keys", .serialized)
struct KeyTests {
    static func config(_ dir: TempDir, conninfo: String, state: String) -> String {
        dir.write(
            "c-\((state as NSString).lastPathComponent).toml",
            """
            [database]
            url = "\(conninfo)"
            [daemon]
            state_dir = "\(state)"
            [[project]]
            id = "IN-JP-0001"
            methodology = "IN_AM001 ver01.0"
            [[meter]]
            id = "PV-1"
            project = "IN-JP-0001"
            parameter = "EG_p"
            kind = "cumulative"
            unit = "kWh"
            """)
    }

    static func ingest(_ config: String, _ dir: TempDir, hour: Int) throws -> (status: Int32, out: String, err: String)
    {
        let file = dir.write(
            "r\(hour).csv",
            "meter_id,timestamp,value,unit\nPV-1,2026-11-01T\(String(format: "%02d", hour)):00:00Z,\(hour),kWh\n")
        return try CommandLineTests.run(["ingest", "--config", config, file])
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func keyNeverMakesAKeyUnlessToldAndAWrongStateDirSaysSo() throws {
        let dir = TempDir()
        let conninfo = try TestCluster.freshDatabase()
        let state = TestCluster.scratch()
        let config = Self.config(dir, conninfo: conninfo, state: state)

        let none = try CommandLineTests.run(["key", "--config", config])
        #expect(none.status == 1 && none.err.contains("no signing key"), "\(none)")
        #expect(!SigningKeyFile.exists(stateDir: state))
        let created = try CommandLineTests.run(["key", "--config", config, "--create"])
        #expect(created.status == 0 && created.out.hasPrefix("ed25519 "), "\(created)")
        #expect(try Self.ingest(config, dir, hour: 0).status == 0)
        let again = try CommandLineTests.run(["key", "--config", config])
        #expect(again.status == 0 && again.out == created.out, "\(again)")

        // The same database through another state_dir: no new key, a non-zero exit saying why.
        let wrong = TestCluster.scratch()
        let wrongConfig = Self.config(dir, conninfo: conninfo, state: wrong)
        let refused = try CommandLineTests.run(["key", "--config", wrongConfig])
        #expect(refused.status == 1 && refused.err.contains("is daemon.state_dir right?"), "\(refused)")
        #expect(!SigningKeyFile.exists(stateDir: wrong))
        let ingest = try Self.ingest(wrongConfig, dir, hour: 1)
        #expect(
            ingest.status != 0 && ingest.err.contains("is daemon.state_dir right?"),
            "the writer refuses to make a key either: \(ingest)")
        #expect(!SigningKeyFile.exists(stateDir: wrong))
        #expect(try scalar(conninfo, "select count(*) from jcm.signing_keys") == "1")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func unpinnedVerifyListsEveryKeyAndWarnsAndTheDaemonHaltsOnAnAttackersKey() throws {
        let dir = TempDir()
        let (owner, ingest) = try ForeignLinkTests.ingestRole()
        let state = TestCluster.scratch()
        let config = try Config.parse(
            try String(contentsOfFile: Self.config(dir, conninfo: ingest, state: state), encoding: .utf8))
        var context = try IngestContext.open(conninfo: ingest, config: config, logger: TestCluster.logger)
        let ingestor = ReportIngestor(store: context.store, batchRows: 100, logger: TestCluster.logger)
        _ = try ingestor.ingest(
            path: dir.write("a.csv", "meter_id,timestamp,value,unit\nPV-1,2026-11-01T00:00:00Z,1,kWh\n"), zone: nil,
            validator: &context.validator)

        // The attacker, with the ingest role: a key of their own, and a link signed with it.
        let attacker = LedgerSigner()
        let db = try Connection(conninfo: ingest)
        try db.query(
            "insert into jcm.signing_keys (public_key, fingerprint) values (decode($1, 'hex'), 'attacker')",
            [LedgerDigest.hex(attacker.publicKey)])
        let head = try db.query(
            "select seq, encode(chain_hash, 'hex'), batch, encode(batch_digest, 'hex') from jcm.ledger where project = 'IN-JP-0001' order by seq desc limit 1"
        )
        let seq = Int64(head[0, 0]!)! + 1
        let link = LedgerLink(
            project: "IN-JP-0001", seq: seq, batch: Int64(head[0, 2]!)!, firstSeq: 2, lastSeq: 1,
            batchDigest: LedgerDigest.bytes(hex: head[0, 3]!)!, recordDigests: [],
            previous: LedgerDigest.bytes(hex: head[0, 1]!))
        try db.query(
            """
            insert into jcm.ledger (project, seq, batch, first_seq, last_seq, batch_digest, record_digests, prev_hash, chain_hash, key_id, signature)
            values ('IN-JP-0001', $1, $2, 2, 1, decode($3, 'hex'), '', decode($4, 'hex'), decode($5, 'hex'),
                    (select id from jcm.signing_keys where fingerprint = 'attacker'), decode($6, 'hex'))
            """,
            [
                String(seq), String(link.batch), head[0, 3], head[0, 1], LedgerDigest.hex(link.chainHash),
                LedgerDigest.hex(try attacker.sign(link.chainHash)),
            ])

        let unpinned = try VerifyCommandTests.run(["verify", "--conninfo", owner])
        let keyLines = unpinned.out.split(separator: "\n").filter { $0.hasPrefix("key ") }
        #expect(keyLines.count == 2, "\(unpinned.out)")
        #expect(
            keyLines.contains {
                $0.contains(LedgerDigest.hex(attacker.publicKey)) && $0.contains("first signed ")
                    && $0.contains("1 signed links")
            }, "\(unpinned.out)")
        #expect(unpinned.out.contains("warning: 2 keys in jcm.signing_keys"), "\(unpinned.out)")
        let mine = try SigningKeyFile.load(stateDir: state, create: false)
        let pinned = try VerifyCommandTests.run([
            "verify", "--conninfo", owner, "--public-key", LedgerDigest.hex(mine.publicKey),
        ])
        #expect(
            pinned.status == 1 && pinned.out.contains("signature not valid for the pinned key: 1 (link #\(seq))"),
            "\(pinned.out)")
        #expect(!pinned.out.contains("warning:"))

        // The daemon does not sign on top of the attacker's link.
        let before = try scalar(owner, "select count(*) from jcm.ledger")
        #expect(throws: ChainHalted.self) {
            _ = try ingestor.ingest(
                path: dir.write("b.csv", "meter_id,timestamp,value,unit\nPV-1,2026-11-01T01:00:00Z,2,kWh\n"), zone: nil,
                validator: &context.validator)
        }
        #expect(try scalar(owner, "select count(*) from jcm.ledger") == before)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func aRotatedKeyIsAcceptedThroughTheOldKeysSignedHandover() throws {
        let dir = TempDir()
        let conninfo = try TestCluster.freshDatabase()
        let state = TestCluster.scratch()
        let config = Self.config(dir, conninfo: conninfo, state: state)
        #expect(try Self.ingest(config, dir, hour: 0).status == 0)
        let old = try SigningKeyFile.load(stateDir: state, create: false)
        let rotated = try CommandLineTests.run(["key", "--config", config, "--rotate"])
        #expect(rotated.status == 0 && rotated.out.contains("handed over to"), "\(rotated)")
        let new = try SigningKeyFile.load(stateDir: state, create: false)
        #expect(new.publicKey != old.publicKey)
        #expect(
            FileManager.default.fileExists(
                atPath: SigningKeyFile.path(stateDir: state) + ".\(LedgerSigner.fingerprint(old.publicKey)).retired"))
        let second = try Self.ingest(config, dir, hour: 1)
        #expect(second.status == 0, "\(second.err)")
        #expect(
            try scalar(conninfo, "select count(distinct key_id) from jcm.ledger where signature is not null") == "2")

        let pinnedOld = try VerifyCommandTests.run([
            "verify", "--conninfo", conninfo, "--public-key", LedgerDigest.hex(old.publicKey),
        ])
        #expect(pinnedOld.status == 0, "links signed by the new key count through the handover: \(pinnedOld.out)")
        let pinnedNew = try VerifyCommandTests.run([
            "verify", "--conninfo", conninfo, "--public-key", LedgerDigest.hex(new.publicKey),
        ])
        #expect(pinnedNew.status == 1, "the old key's links are not the new key's: \(pinnedNew.out)")
        let withConfig = try VerifyCommandTests.run(["verify", "--config", config])
        #expect(withConfig.status == 0 && withConfig.out.contains("\nintact: "), "\(withConfig)")
        let listed = try VerifyCommandTests.run(["verify", "--conninfo", conninfo])
        #expect(listed.out.contains("handed over from \(LedgerSigner.fingerprint(old.publicKey))"), "\(listed.out)")

        try Connection(conninfo: conninfo).execute(
            """
            set session_replication_role = replica;
            update jcm.signing_keys set handover_signature = decode(repeat('00', 64), 'hex') where handover_from is not null
            """)
        let forged = try VerifyCommandTests.run([
            "verify", "--conninfo", conninfo, "--public-key", LedgerDigest.hex(old.publicKey),
        ])
        #expect(
            forged.status == 1 && forged.out.contains("key handover not valid")
                && forged.out.contains("signature not valid for the pinned key"), "\(forged.out)")
    }
}
