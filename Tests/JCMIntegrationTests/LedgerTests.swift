import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

@Suite("ledger: sealed as written, tampering named by verify")
struct LedgerTests {
    let dir = TempDir()

    /// A database holding every kind of record the writer seals: readings with extra fields
    /// jsonb reorders and renumbers, flagged readings, rejections of unknown meters, a file in
    /// several chunks, a second file with duplicates and conflicts (the staging path), a
    /// repeated file.
    func populated() throws -> String {
        var db = try TestCluster.context(try Fixtures.config())
        let ingestor = ReportIngestor(store: db.context.store, batchRows: 3, logger: TestCluster.logger)
        let first = dir.write(
            "a.csv",
            """
            meter_id,timestamp,value,unit,operator,zzz_long_column_name,b
            PV-1,2026-11-01T00:00:00Z,1000.50,kWh,asha,"tab\there ""quoted"" \\ back",x
            PV-1,2026-11-01T01:00:00Z,1001500.25,Wh,Ravi ☀,,
            PV-1,2026-11-01T02:00:00Z,900,kWh,asha,,
            NOPE-9,2026-11-01T00:00:00Z,5,kWh,asha,,
            FUEL-1,2026-11-01T00:00:00Z,abc,L,,,
            FUEL-1,2026-11-01T01:00:00Z,2500,L,,,
            PV-2,2026-11-01T00:00:00,7,kWh,,,
            """)
        let json = dir.write(
            "b.json",
            """
            {"readings": [
              {"meter_id": "PV-2", "timestamp": "2026-11-01T06:00:00+05:30", "value": 8, "unit": "kWh",
               "q": {"zeta": 1.50, "a": [1e2, -0.0, 1E-3, 12.5e1], "bb": null, "a": true}, "note": "line\\nnew \\u0001"},
              {"meter_id": "PV-1", "timestamp": "2026-11-01T00:00:00Z", "value": 1000.50, "unit": "kWh"},
              {"meter_id": "PV-1", "timestamp": "2026-11-01T02:00:00Z", "value": 901, "unit": "kWh"}
            ]}
            """)
        for path in [first, json, first] {
            _ = try ingestor.ingest(path: path, zone: nil, validator: &db.context.validator)
        }
        return db.conninfo
    }

    func verify(_ conninfo: String, _ scope: LedgerVerifier.Scope = .init()) throws -> (
        LedgerVerifier.Summary, [String]
    ) {
        var findings: [String] = []
        let summary = try LedgerVerifier(conninfo: conninfo, scope: scope) { findings.append($0) }.run()
        return (summary, findings)
    }

    /// Changes rows as a superuser would, with the append-only triggers out of the way.
    func tamper(_ conninfo: String, _ sql: String) throws {
        try Connection(conninfo: conninfo).execute("set session_replication_role = replica; " + sql)
    }

    @Test func anUntouchedDatabaseIsIntact() throws {
        let conninfo = try populated()
        let (summary, findings) = try verify(conninfo)
        #expect(findings == [])
        #expect(summary.batches == 4, "three written, and the plan version's own")
        #expect(summary.readings == 6)
        #expect(summary.rejections == 3)  // unknown meter, not numeric, a conflict
        #expect(try scalar(conninfo, "select count(*) from jcm.ledger where signature is not null") != "0")
        // Every record has its number, and the staging path left its duplicate as an empty slot.
        #expect(try scalar(conninfo, "select count(*) from jcm.readings where seq is null") == "0")
        #expect(
            try scalar(
                conninfo,
                "select count(*) from jcm.ledger where position('\\x00000000000000000000000000000000'::bytea in record_digests) > 0"
            ) == "1")
        let one = try verify(conninfo, .init(project: "IN-JP-0001"))
        #expect(one.1 == [])
        #expect(one.0.readings == 6)
    }

    @Test func theWritersDigestsAreThoseOfTheTextPostgreSQLPrints() throws {
        let conninfo = try populated()
        // jsonb put the keys of the JSON record in its own order and printed 1e2 as 100.
        let extra = try scalar(
            conninfo, "select extra::text from jcm.readings_view where meter_id = 'PV-2' and extra ? 'q'")
        #expect(extra == #"{"q": {"a": true, "bb": null, "zeta": 1.50}, "note": "line\nnew \u0001"}"#)
        #expect(try verify(conninfo).1 == [])
    }

    @Test func aChangedReadingIsNamed() throws {
        let conninfo = try populated()
        try tamper(
            conninfo,
            "update jcm.readings set value = value + 1 where ts = '2026-11-01T01:00:00Z' and meter = (select key from jcm.meters where id = 'PV-1')"
        )
        let findings = try verify(conninfo).1
        #expect(findings.count == 1, "\(findings)")
        #expect(findings.first?.contains("reading of meter PV-1 at 2026-11-01T01:00:00Z was changed") == true)
    }

    @Test func aDeletedReadingIsNamed() throws {
        let conninfo = try populated()
        try tamper(conninfo, "delete from jcm.readings where meter = (select key from jcm.meters where id = 'FUEL-1')")
        let findings = try verify(conninfo).1
        #expect(findings.count == 1)
        #expect(
            findings.first?.contains("of IN-JP-0001: sealed by link") == true
                && findings.first?.contains("but deleted") == true)
    }

    @Test func anAddedReadingIsNamed() throws {
        let conninfo = try populated()
        try tamper(
            conninfo,
            """
            insert into jcm.readings (meter, ts, value, raw_value, raw_unit, status, batch, seq)
            select key, '2026-11-01T03:00:00Z', 2000, '2000', 'kWh', 'accepted', 1, 99 from jcm.meters where id = 'PV-1'
            """)
        let findings = try verify(conninfo).1
        #expect(
            findings == [
                "batch 1 record 99: reading of meter PV-1 at 2026-11-01T03:00:00Z is in no link (added behind the daemon's back)"
            ])
    }

    @Test func aChangedBatchIsNamed() throws {
        let conninfo = try populated()
        try tamper(conninfo, "update jcm.batches set file_name = 'other.csv' where id = 2")
        let findings = try verify(conninfo).1
        #expect(!findings.isEmpty)
        #expect(findings.allSatisfy { $0.hasPrefix("batch 2 (") && $0.contains("its row was changed since link") })
    }

    /// No foreign key holds a link's batch (migration 7): verify and the psql recipe name it.
    @Test func aDeletedBatchIsNamed() throws {
        let conninfo = try populated()
        try tamper(conninfo, "delete from jcm.batches where id = 2")
        #expect(try verify(conninfo).1.contains { $0.hasPrefix("batch 2:") && $0.contains("its row was deleted") })
        #expect(try runRecipe(conninfo)["links"]?.map { $0[2] }.contains("2") == true)
    }

    @Test func reorderedBatchesBreakTheChain() throws {
        let conninfo = try populated()
        // Swap which batch two links seal, and their digests: every hash stays self-consistent
        // inside each row, but the chain no longer follows.
        try tamper(
            conninfo,
            """
            create temp table l as select * from jcm.ledger where project = 'IN-JP-0001' order by seq limit 2;
            update jcm.ledger x set batch = y.batch, first_seq = y.first_seq, last_seq = y.last_seq, batch_digest = y.batch_digest,
                record_digests = y.record_digests, chain_hash = y.chain_hash, signature = y.signature, key_id = y.key_id, prev_hash = y.prev_hash
            from l y where x.project = y.project and x.seq <> y.seq and x.seq in (select seq from l)
            """)
        let findings = try verify(conninfo).1
        #expect(findings.contains { $0.contains("link IN-JP-0001#1") && $0.contains("chain hash does not match") })
        #expect(findings.contains { $0.contains("link IN-JP-0001#2") })
    }

    @Test func aDeletedLinkAndAForgedSignatureAreNamed() throws {
        let conninfo = try populated()
        try tamper(conninfo, "delete from jcm.ledger where project = 'IN-JP-0001' and seq = 2")
        #expect(try verify(conninfo).1.contains { $0.contains("links IN-JP-0001#2…#2 are missing (deleted)") })
        let other = try populated()
        try tamper(
            other,
            "update jcm.ledger set signature = decode(repeat('ab', 64), 'hex') where signature is not null and project = 'IN-JP-0001'"
        )
        #expect(try verify(other).1.contains { $0.contains("its signature is not valid") })
        // Pinning another key refuses signatures the database's own key made.
        let pinned = try verify(try populated(), .init(pinnedKey: LedgerSigner().publicKey)).1
        #expect(pinned.contains { $0.contains("not valid for the pinned key") })
    }

    @Test func appendOnlyTablesRefuseChangesEvenFromTheOwner() throws {
        let conninfo = try populated()
        let db = try Connection(conninfo: conninfo)
        for statement in [
            "update jcm.readings set value = 0", "delete from jcm.rejections", "update jcm.batches set bytes = 0",
            "delete from jcm.ledger", "truncate jcm.readings", "update jcm.signing_keys set fingerprint = ''",
        ] {
            #expect(throws: PostgresError.self, "\(statement)") { try db.execute(statement) }
        }
        #expect(try verify(conninfo).1 == [])
    }

    /// The SQL of docs/verification.md, block by block: the field function, then each check by name.
    static func recipe() throws -> (setup: String, checks: [String: String]) {
        let doc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../docs/verification.md")
        let text = try String(contentsOf: doc, encoding: .utf8)
        let blocks = text.components(separatedBy: "```sql\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        var checks: [String: String] = [:]
        for b in blocks where b.hasPrefix("-- check: ") {
            checks[String(b.dropFirst("-- check: ".count).prefix { $0 != "\n" })] = b
        }
        return (blocks.first { $0.contains("pg_temp.f(text)") } ?? "", checks)
    }

    func runRecipe(_ conninfo: String) throws -> [String: [[String?]]] {
        let (setup, checks) = try Self.recipe()
        let db = try Connection(conninfo: conninfo)
        try db.execute(setup)
        return try checks.mapValues { try db.query($0).rows }
    }

    @Test func thePsqlRecipeAgreesWithVerify() throws {
        let conninfo = try populated()
        let intact = try runRecipe(conninfo)
        #expect(
            Set(intact.keys) == [
                "chain", "batches", "links", "readings", "rejections", "deleted", "foreign", "corrections",
                "reports and plan versions",
            ])
        #expect(intact.values.allSatisfy { $0.isEmpty }, "\(intact)")

        // Batch 1 is the plan version's own; the report files' are 2 to 4.
        try tamper(
            conninfo,
            """
            update jcm.readings set raw_unit = 'Wh' where seq = 1 and batch = 2;
            delete from jcm.rejections where reason = 'unknown_meter';
            update jcm.rejections set detail = 'nothing' where reason = 'value_not_numeric';
            update jcm.batches set bytes = 1 where id = 4;
            update jcm.ledger set prev_hash = sha256('x') where project = 'IN-JP-0001' and seq = 3
            """)
        let found = try runRecipe(conninfo)
        #expect(found["readings"]?.map { [$0[0], $0[1], $0[4]] } == [["2", "1", "changed since it was sealed"]])
        #expect(found["rejections"]?.count == 1)
        #expect(found["deleted"]?.count == 1)
        #expect(found["deleted"]?.first?[0] == "")  // the unknown meter's rejection was on the chain of no project
        #expect(found["batches"]?.map { $0[0] } == ["4"])
        #expect(found["chain"]?.map { [$0[0], $0[1]] } == [["IN-JP-0001", "3"]])
        let findings = try verify(conninfo).1
        #expect(findings.count == 5, "\(findings)")
    }

    /// Chunks of more than a few hundred kilobytes are sent from a second thread; a collision
    /// found at the end of such a chunk still takes the staging path on the same connection.
    @Test func aLargeChunkSentFromTheSenderThreadAndRedoneThroughStagingVerifies() throws {
        var db = try TestCluster.context(try Fixtures.config())
        let ingestor = ReportIngestor(store: db.context.store, batchRows: 50_000, logger: TestCluster.logger)
        func file(_ name: String, _ last: Int) -> String {
            dir.write(
                name,
                "meter_id,timestamp,value,unit,note\n"
                    + (0..<20_000).map { i in
                        "FUEL-1,\(Timestamp(microseconds: 1_790_000_000_000_000 + Int64(i) * 60_000_000)),\(i == 19_999 ? last : i),L,padding padding padding\n"
                    }.joined())
        }
        let first = try ingestor.ingest(path: file("big.csv", 1), zone: nil, validator: &db.context.validator)
        #expect(first.counts.accepted == 20_000)
        let second = try ingestor.ingest(path: file("big2.csv", 2), zone: nil, validator: &db.context.validator)
        #expect(second.counts.duplicates == 19_999)
        #expect(second.counts.rejected == 1)  // the last row conflicts with the stored one
        let (summary, findings) = try verify(db.conninfo)
        #expect(findings == [])
        #expect(summary.readings == 20_000)
    }
}
