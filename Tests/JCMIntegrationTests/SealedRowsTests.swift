import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

/// Report rows and plan versions are sealed in the ledger (migration 13), and a reading's unit in
/// readings_view is the one of the plan version its batch was written under.
@Suite("report rows and plan versions sealed; units by plan version", .serialized)
struct SealedRowsTests {
    let dir = TempDir()

    func config(_ conninfo: String, state: String, unit: String) throws -> Config {
        try Config.parse(
            """
            [database]
            url = "\(conninfo)"
            [daemon]
            state_dir = "\(state)"
            [[project]]
            id = "IN-JP-0001"
            methodology = "JCM_IN_AM001 ver01.0"
            [[meter]]
            id = "PV-1"
            project = "IN-JP-0001"
            parameter = "EG_p"
            kind = "cumulative"
            unit = "\(unit)"
            """)
    }

    func load(_ context: inout IngestContext, _ name: String, _ text: String) throws {
        let ingestor = ReportIngestor(store: context.store, batchRows: 50_000, logger: TestCluster.logger)
        let summary = try ingestor.ingest(path: dir.write(name, text), zone: nil, validator: &context.validator)
        #expect(summary.counts.accepted + summary.counts.flagged == 2, "\(summary.firstProblems)")
    }

    func verify(_ conninfo: String) throws -> [String] {
        var findings: [String] = []
        _ = try LedgerVerifier(conninfo: conninfo, scope: .init()) { findings.append($0) }.run()
        return findings
    }

    @Test func aDeletedReportRowAForgedPlanVersionAndAUnitChangeAreFoundOrKeptApart() throws {
        let (owner, ingest) = try ForeignLinkTests.ingestRole()
        let state = TestCluster.scratch()
        var context = try IngestContext.open(
            conninfo: ingest, config: try config(ingest, state: state, unit: "kWh"), logger: TestCluster.logger)
        try load(
            &context, "a.csv",
            "meter_id,timestamp,value,unit\nPV-1,2026-11-01T10:00:00Z,100,kWh\nPV-1,2026-11-01T11:00:00Z,150,kWh\n")
        #expect(
            try scalar(owner, "select count(*) from jcm.reports where ledger_seq > 0") == "1",
            "the report row is numbered in the ledger")
        #expect(
            try scalar(owner, "select count(*) from jcm.plan_versions where ledger_batch > 0") == "1",
            "the plan version is sealed in a batch of its own")
        #expect(try verify(owner) == [])

        // The plan changes kWh to MWh (a new version, sealed): the readings stored in kWh stay kWh
        // in readings_view, the new ones are MWh.
        context = try IngestContext.open(
            conninfo: ingest, config: try config(ingest, state: state, unit: "MWh"), logger: TestCluster.logger)
        try load(
            &context, "b.csv",
            "meter_id,timestamp,value,unit\nPV-1,2026-11-01T12:00:00Z,0.2,MWh\nPV-1,2026-11-01T13:00:00Z,0.25,MWh\n")
        #expect(
            try rows(owner, "select ts::text, value::text, unit from jcm.readings_view order by ts") == [
                ["2026-11-01 10:00:00+00", "100", "kWh"], ["2026-11-01 11:00:00+00", "150", "kWh"],
                ["2026-11-01 12:00:00+00", "0.2", "MWh"], ["2026-11-01 13:00:00+00", "0.25", "MWh"],
            ])
        #expect(try verify(owner) == [])
        #expect(
            try scalar(owner, "select status from jcm.readings_view where ts = '2026-11-01 12:00Z'") == "accepted",
            "the counter's state after the change is in the new unit: 150 kWh is 0.15 MWh, and 0.2 follows it")
        // A period's series is in its plan version's unit, each reading converted from the unit it
        // was written under: 0.1, 0.15, 0.2, 0.25 MWh, three steps of 0.05; under the old version,
        // the same steps of 50 kWh.
        func steps(_ version: String) throws -> [[String?]] {
            try rows(
                owner,
                """
                select unit, value::text, coalesce(delta::text, '-'), step
                from jcm.series_steps('IN-JP-0001', null, \(version), '2026-11-01T00:00Z', '2026-11-02T00:00Z') order by ts_to
                """)
        }
        #expect(
            try steps("(select max(version) from jcm.plan_versions)") == [
                ["MWh", "0.1", "-", "first"], ["MWh", "0.15", "0.05", "normal"], ["MWh", "0.2", "0.05", "normal"],
                ["MWh", "0.25", "0.05", "normal"],
            ])
        #expect(
            try steps("(select min(version) from jcm.meter_versions where unit = 'kWh')") == [
                ["kWh", "100", "-", "first"], ["kWh", "150", "50", "normal"], ["kWh", "200", "50", "normal"],
                ["kWh", "250", "50", "normal"],
            ])

        // The ingest role cannot change the unit in place; with a plan version of its own making
        // first it can, but the history keeps its units and verify names the forged version.
        #expect(throws: PostgresError.self) {
            try Connection(conninfo: ingest).execute("update jcm.meters set unit = 'kWh' where id = 'PV-1'")
        }
        try Connection(conninfo: ingest).execute(
            """
            insert into jcm.plan_versions (sha256, plan)
            select 'forged', jsonb_set(plan, '{meters,0,unit}', '"kWh"') from jcm.plan_versions order by version desc limit 1;
            update jcm.meters set unit = 'kWh' where id = 'PV-1';
            """)
        #expect(
            try rows(owner, "select distinct unit from jcm.readings_view where ts >= '2026-11-01 12:00Z'") == [["MWh"]])
        var findings = try verify(owner)
        #expect(
            findings.count == 1
                && findings[0].contains("plan version 3: in no link (inserted behind the daemon's back)"),
            "\(findings)")
        // Nor can it change a plan version or a report row.
        #expect(throws: PostgresError.self) {
            try Connection(conninfo: ingest).execute("delete from jcm.reports")
        }

        // A superuser deletes a report row: found, and named as the report of its file.
        try Connection(conninfo: owner).execute(
            "set session_replication_role = replica; delete from jcm.reports where file_name = 'a.csv'")
        findings = try verify(owner)
        #expect(
            findings.contains {
                $0.contains("(the jcm.reports row of a.csv): sealed by link") && $0.contains("but deleted")
            },
            "\(findings)")
        // ... or changes one (its counts): found as changed.
        try Connection(conninfo: owner).execute(
            "set session_replication_role = replica; update jcm.reports set rejected = 0, accepted = 3 where file_name = 'b.csv'"
        )
        findings = try verify(owner)
        #expect(
            findings.contains { $0.contains("report of file b.csv was changed since it was sealed") }, "\(findings)")
    }
}
