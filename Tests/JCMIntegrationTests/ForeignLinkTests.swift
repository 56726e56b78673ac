import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Testing

@testable import JCMDaemon

/// An insider with only the ingest role's INSERT rights adds a well-formed but unsigned link on
/// top of a chain. The daemon must not sign on top of it (that would seal the forgery), must keep
/// writing the other projects, must hold the chain's work until an operator resolves it, and
/// verify must name the link.
@Suite("the daemon extends only a head it wrote", .serialized)
struct ForeignLinkTests {
    static let t0: Int64 = 1_767_225_600_000_000

    static func config(state: String, watch: String) throws -> Config {
        var text = """
            [daemon]
            state_dir = "\(state)"
            [[project]]
            id = "IN-JP-0001"
            methodology = "IN_AM001 ver01.0"
            [[project]]
            id = "IN-JP-0002"
            methodology = "IN_AM001 ver01.0"
            [[meter]]
            id = "R-1"
            project = "IN-JP-0001"
            parameter = "EG_p"
            kind = "cumulative"
            unit = "kWh"
            [[watch]]
            dir = "\(watch)"

            """
        for (id, project) in [("M0", "IN-JP-0001"), ("N0", "IN-JP-0002")] {
            text += """
                [[meter]]
                id = "\(id)"
                project = "\(project)"
                parameter = "EG_p"
                kind = "cumulative"
                unit = "kWh"
                url = "http://127.0.0.1:9/\(id)"
                interval = "1s"
                json.value = "wh"
                json.unit = "Wh"
                json.timestamp = "ts"

                """
        }
        return try Config.parse(text)
    }

    func poll(_ meter: String, second: Int64, wh: Int) -> PollResult {
        let body = #"{"ts": "\#(Timestamp(microseconds: Self.t0 + second * 1_000_000))", "wh": \#(wh)}"#
        return PollResult(
            meterID: meter, url: "http://127.0.0.1:9/\(meter)", receivedAt: Timestamp(date: Date()), status: 200,
            body: Array(body.utf8), failure: nil)
    }

    /// deploy/roles.sql applied to a fresh, migrated database; the ingest role's conninfo.
    static func ingestRole() throws -> (owner: String, ingest: String) {
        let owner = try TestCluster.freshDatabase()
        let dbname = try #require(owner.split(separator: " ").first { $0.hasPrefix("dbname=") }).dropFirst(
            "dbname=".count)
        try Migrator.migrate(try Connection(conninfo: owner), logger: TestCluster.logger)
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let sql = try String(contentsOf: repo.appendingPathComponent("deploy/roles.sql"), encoding: .utf8)
            .replacingOccurrences(of: ":ingest_password", with: "'i'")
            .replacingOccurrences(of: ":verifier_password", with: "'v'")
            .replacingOccurrences(of: ":\"DBNAME\"", with: "\"\(dbname)\"")
        try Connection(conninfo: owner).execute(sql)
        return (owner, owner.replacingOccurrences(of: "user=jcm", with: "user=jcm_ingest"))
    }

    /// What the attacker adds through the ingest role: a batch, a reading of 99,999 kWh and the
    /// link that seals them, each digest computed as docs/verification.md says. Returns the link's seq.
    static func forge(_ conninfo: String, project: String, meter: String) throws -> Int64 {
        let db = try Connection(conninfo: conninfo)
        let micros = t0 + 3_600_000_000
        let batch = try #require(
            try db.query(
                """
                insert into jcm.batches (kind, source, sha256, bytes, received_at) values ('poll', $1, 'forged', 5, to_timestamp($2::bigint / 1e6))
                returning id
                """, [meter, String(micros)])[0, 0].flatMap(Int64.init))
        try db.query(
            """
            insert into jcm.readings (meter, ts, value, raw_value, raw_unit, status, batch, seq)
            select key, to_timestamp($2::bigint / 1e6), 99999, '99999', 'kWh', 'accepted', $3, 1 from jcm.meters where id = $1
            """, [meter, String(micros + 7_200_000_000), String(batch)])
        let stored = try db.query(
            "select (extract(epoch from received_at) * 1000000)::bigint from jcm.batches where id = $1", [String(batch)]
        )[0, 0]
        let batchDigest = LedgerDigest.sha256(
            CanonicalRecord.batch(
                id: batch, kind: "poll", source: meter, url: nil, httpStatus: nil, fileName: nil, sha256: "forged",
                bytes: 5,
                receivedMicroseconds: Int64(stored ?? "") ?? 0, spoolRecord: nil, planVersion: nil
            ).bytes)
        var reading = CanonicalRecord(tag: "reading")
        reading.field(batch)
        reading.field(1)
        reading.field(meter)
        reading.field(micros + 7_200_000_000)
        for f in ["99999", "99999", "kWh", "accepted"] { reading.field(f) }
        reading.field(nil as String?)
        reading.field(nil as String?)
        let head = try db.query(
            "select seq, encode(chain_hash, 'hex') from jcm.ledger where project = $1 order by seq desc limit 1",
            [project])
        let seq = (head[0, 0].flatMap(Int64.init) ?? 0) + 1
        let link = LedgerLink(
            project: project, seq: seq, batch: batch, firstSeq: 1, lastSeq: 1, batchDigest: batchDigest,
            recordDigests: LedgerDigest.record(reading), previous: head[0, 1].flatMap(LedgerDigest.bytes(hex:)))
        try db.query(
            """
            insert into jcm.ledger (project, seq, batch, first_seq, last_seq, batch_digest, record_digests, prev_hash, chain_hash)
            values ($1, $2, $3, 1, 1, decode($4, 'hex'), decode($5, 'hex'), decode($6, 'hex'), decode($7, 'hex'))
            """,
            [
                project, String(seq), String(batch), LedgerDigest.hex(batchDigest),
                LedgerDigest.hex(link.recordDigests),
                link.previous.map(LedgerDigest.hex), LedgerDigest.hex(link.chainHash),
            ])
        return seq
    }

    func verify(_ conninfo: String) throws -> (findings: [String], notes: [String]) {
        var findings: [String] = []
        var notes: [String] = []
        let verifier = try LedgerVerifier(conninfo: conninfo, scope: .init()) { findings.append($0) }
        verifier.note = { notes.append($0) }
        _ = try verifier.run()
        return (findings, notes)
    }

    @Test func aForgedUnsignedLinkIsNotSealedByTheNextPollOrReportAndVerifyNamesIt() throws {
        let (owner, ingest) = try Self.ingestRole()
        let dir = TestCluster.scratch()
        let watch = dir + "/watch"
        try FileManager.default.createDirectory(atPath: watch, withIntermediateDirectories: true)
        let config = try Self.config(state: dir + "/state", watch: watch)
        let spool = try Spool(directory: dir + "/state/spool", maxBytes: 1 << 30, logger: TestCluster.logger)
        let metrics = Metrics()
        let writer = IngestWriter(
            conninfo: ingest, config: config, logger: TestCluster.logger, metrics: metrics, spool: spool)
        writer.recheckSeconds = 0.2
        try writer.prepare()
        let intake = PollIntake(spool: spool, writer: writer, logger: TestCluster.logger, metrics: metrics)
        let done = TestThread.spawn("writer") { writer.run() }
        defer {
            writer.finish()
            done.wait()
        }
        func readings(_ meter: String) throws -> String? {
            try scalar(
                owner, "select count(*) from jcm.readings r join jcm.meters m on m.key = r.meter where m.id = $1",
                [meter])
        }

        intake.deliver([poll("M0", second: 0, wh: 1_000), poll("N0", second: 0, wh: 2_000)])
        #expect(eventually { try readings("M0") == "1" && readings("N0") == "1" })
        #expect(eventually { FileManager.default.fileExists(atPath: ChainHeadGuard.path(stateDir: dir + "/state")) })

        let forged = try Self.forge(ingest, project: "IN-JP-0001", meter: "M0")
        let forgedHash = try scalar(
            owner, "select encode(chain_hash, 'hex') from jcm.ledger where project = 'IN-JP-0001' and seq = $1",
            [String(forged)])

        // The next poll of both projects, and a report file for the forged chain's project.
        intake.deliver([poll("M0", second: 60, wh: 1_010), poll("N0", second: 60, wh: 2_010)])
        let report = watch + "/r.csv"
        try "meter_id,timestamp,value,unit\nR-1,2026-11-01T00:00:00Z,5,kWh\n".write(
            toFile: report, atomically: true, encoding: .utf8)
        writer.submit(.report(path: report, watch: config.watches[0], origin: nil))

        #expect(eventually { try readings("N0") == "2" }, "the other project's chain goes on")
        #expect(eventually { metrics.value("jcm_ledger_chains_halted") == 1 })
        intake.deliver([poll("N0", second: 120, wh: 2_020)])
        #expect(eventually { try readings("N0") == "3" })
        #expect(writer.haltedChains == ["IN-JP-0001"])
        #expect(
            try scalar(owner, "select max(seq) from jcm.ledger where project = 'IN-JP-0001'") == String(forged),
            "nothing on top of the forged link")
        #expect(
            try scalar(owner, "select count(*) from jcm.ledger where prev_hash = decode($1, 'hex')", [forgedHash])
                == "0")
        #expect(try readings("M0") == "2", "the first poll and the forged reading; the second poll is held")
        #expect(try readings("R-1") == "0")
        #expect(FileManager.default.fileExists(atPath: report), "the report waits in its folder")
        #expect(metrics.value("jcm_ledger_halts_total") == 1)

        let (findings, _) = try verify(owner)
        #expect(findings.count == 1, "\(findings)")
        #expect(findings.first?.contains("IN-JP-0001#\(forged)…#\(forged)") == true, "\(findings)")
        #expect(findings.first?.contains("covered by no signature") == true, "\(findings)")
        let (setup, checks) = try LedgerTests.recipe()
        let psql = try Connection(conninfo: owner)
        try psql.execute(setup)
        #expect(
            try psql.query(try #require(checks["foreign"])).rows.map { [$0[0], $0[1]] } == [
                ["IN-JP-0001", String(forged)]
            ])

        // The operator investigates, then resumes: a signed resolution on top of the forged head.
        let store = try ReadingStore(
            db: try Connection(conninfo: ingest), signer: try SigningKeyFile.load(stateDir: dir + "/state"))
        let (head, foreign) = try store.chainHead("IN-JP-0001")
        #expect(head?.seq == forged && foreign == forged...forged)
        _ = try store.resolve(
            ChainResolution(
                project: "IN-JP-0001", head: head, foreign: foreign, reason: "forged reading; excluded by correction",
                author: "asha"))
        intake.deliver([poll("N0", second: 180, wh: 2_030)])
        #expect(
            eventually { try readings("M0") == "3" && readings("R-1") == "1" },
            "the held poll and report are written: \(writer.chainHeads?.halted.values.map(\.description) ?? [])")
        #expect(eventually { !FileManager.default.fileExists(atPath: report) })
        #expect(writer.haltedChains.isEmpty)
        #expect(metrics.value("jcm_ledger_chains_halted") == 0)

        let after = try verify(owner)
        #expect(after.findings == [], "\(after.findings)")
        #expect(
            after.notes.count == 1 && after.notes.first?.contains("acknowledged by the resolution") == true,
            "\(after.notes)")
        #expect(try psql.query(try #require(checks["foreign"])).rows.isEmpty, "acknowledged by the resolution")
    }

    @Test func aChainCutBackBelowWhatTheWriterWroteHaltsIt() throws {
        let conninfo = try TestCluster.freshDatabase()
        let dir = TestCluster.scratch()
        let config = try Self.config(state: dir + "/state", watch: dir + "/watch")
        let writer = IngestWriter(conninfo: conninfo, config: config, logger: TestCluster.logger)
        try writer.prepare()
        for second: Int64 in [0, 60] {
            try writer.writePolls([(poll("M0", second: second, wh: 1_000 + Int(second)), nil)])
        }
        // A superuser removes the last link and what it sealed.
        try Connection(conninfo: conninfo).execute(
            """
            set session_replication_role = replica;
            delete from jcm.readings where batch = (select max(batch) from jcm.ledger where project = 'IN-JP-0001');
            delete from jcm.batches where id = (select max(batch) from jcm.ledger where project = 'IN-JP-0001');
            delete from jcm.ledger where project = 'IN-JP-0001' and seq = (select max(seq) from jcm.ledger where project = 'IN-JP-0001');
            """)
        try writer.writePolls([(poll("M0", second: 120, wh: 1_200), nil), (poll("N0", second: 120, wh: 5), nil)])
        #expect(writer.haltedChains == ["IN-JP-0001"])
        #expect(try scalar(conninfo, "select count(*) from jcm.ledger where project = 'IN-JP-0001'") == "1")
        #expect(try scalar(conninfo, "select count(*) from jcm.ledger where project = 'IN-JP-0002'") == "1")
        #expect(try scalar(conninfo, "select count(*) from jcm.readings") == "2")
    }

    /// A daemon without the head check (an older version) signed on top of a forged link: the
    /// chain then verifies, but the forged link was not sealed in the signed link's transaction.
    @Test func aForgedLinkSignedOverByAnotherTransactionIsNamed() throws {
        let (owner, ingest) = try Self.ingestRole()
        let dir = TestCluster.scratch()
        let config = try Self.config(state: dir + "/state", watch: dir + "/watch")
        let writer = IngestWriter(conninfo: ingest, config: config, logger: TestCluster.logger)
        try writer.prepare()
        try writer.writePolls([(poll("M0", second: 0, wh: 1_000), nil)])
        let forged = try Self.forge(ingest, project: "IN-JP-0001", meter: "M0")
        // What the older daemon did next: a link on top, signed.
        let signer = try SigningKeyFile.load(stateDir: dir + "/state")
        let db = try Connection(conninfo: ingest)
        let head = try db.query(
            "select encode(chain_hash, 'hex'), batch, encode(batch_digest, 'hex') from jcm.ledger where project = 'IN-JP-0001' and seq = $1",
            [String(forged)])
        let link = LedgerLink(
            project: "IN-JP-0001", seq: forged + 1, batch: Int64(head[0, 1]!)!, firstSeq: 2, lastSeq: 1,
            batchDigest: LedgerDigest.bytes(hex: head[0, 2]!)!, recordDigests: [],
            previous: LedgerDigest.bytes(hex: head[0, 0]!))
        try db.query(
            """
            insert into jcm.ledger (project, seq, batch, first_seq, last_seq, batch_digest, record_digests, prev_hash, chain_hash, key_id, signature)
            values ('IN-JP-0001', $1, $2, 2, 1, decode($3, 'hex'), '', decode($4, 'hex'), decode($5, 'hex'),
                    (select id from jcm.signing_keys where public_key = decode($6, 'hex')), decode($7, 'hex'))
            """,
            [
                String(forged + 1), String(link.batch), head[0, 2], head[0, 0], LedgerDigest.hex(link.chainHash),
                LedgerDigest.hex(signer.publicKey), LedgerDigest.hex(try signer.sign(link.chainHash)),
            ])
        let (findings, _) = try verify(owner)
        #expect(findings.count == 1, "\(findings)")
        #expect(
            findings.first?.contains("IN-JP-0001#\(forged)…#\(forged)") == true
                && findings.first?.contains("foreign links a writer chained onto") == true,
            "\(findings)")
        // docs/verification.md's psql check finds the same link.
        let (setup, checks) = try LedgerTests.recipe()
        let psql = try Connection(conninfo: owner)
        try psql.execute(setup)
        #expect(
            try psql.query(try #require(checks["foreign"])).rows.map { [$0[0], $0[1]] } == [
                ["IN-JP-0001", String(forged)]
            ])
    }

    /// The same state folder against another (fresh) database: its heads are not this one's.
    @Test func aHeadsFileOfAnotherDatabaseIsNotThisOnes() throws {
        let dir = TestCluster.scratch()
        let config = try Self.config(state: dir + "/state", watch: dir + "/watch")
        for _ in 0..<2 {
            let conninfo = try TestCluster.freshDatabase()
            let writer = IngestWriter(conninfo: conninfo, config: config, logger: TestCluster.logger)
            try writer.prepare()
            try writer.writePolls([(poll("M0", second: 0, wh: 1_000), nil)])
            #expect(writer.haltedChains.isEmpty)
            #expect(try scalar(conninfo, "select count(*) from jcm.readings") == "1")
        }
    }

    @Test func theHeadsFileRoundTrips() {
        let heads = [
            "IN-JP-0001": ChainHeadGuard.Head(seq: 7, hash: [1, 2, 255]), "a b": .init(seq: 1, hash: [0]),
            "": .init(seq: 3, hash: [9]),
        ]
        #expect(ChainHeadGuard.parse(ChainHeadGuard.format(heads)) == heads)
    }
}
