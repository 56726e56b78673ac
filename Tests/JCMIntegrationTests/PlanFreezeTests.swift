import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

/// The plan cannot change behind the ledger: the methodology file and its option A values are
/// in the plan version, a declared period freezes them, a meter's unit cannot change in place,
/// and verify finds rows that are not as their version has them.
@Suite("plan frozen with the period", .serialized)
struct PlanFreezeTests {
    func config(_ conninfo: String, state: String, calculation: String, efGrid: String) throws -> Config {
        try Config.parse(
            """
            [database]
            url = "\(conninfo)"
            [daemon]
            state_dir = "\(state)"
            [[project]]
            id = "IN-JP-0001"
            methodology = "JCM_IN_AM001 ver01.0"
            calculation = "\(calculation)"
            values = { EF_grid = "\(efGrid)" }
            [[parameter]]
            project = "IN-JP-0001"
            id = "EG_p"
            unit = "MWh"
            option = "C"
            [[meter]]
            id = "PV-1"
            project = "IN-JP-0001"
            parameter = "EG_p"
            kind = "cumulative"
            unit = "MWh"
            """)
    }

    func verify(_ conninfo: String) throws -> [String] {
        var findings: [String] = []
        _ = try LedgerVerifier(conninfo: conninfo, scope: .init()) { findings.append($0) }.run()
        return findings
    }

    @Test func aPeriodFreezesPlanMethodologyAndValuesAndChangesBehindTheLedgerAreFound() throws {
        let (owner, ingest) = try ForeignLinkTests.ingestRole()
        let dir = TempDir()
        let state = TestCluster.scratch()
        let shipped = try String(contentsOfFile: PeriodReportTests.methodologies + "/pv-grid.toml", encoding: .utf8)
        let file = dir.write("pv-grid.toml", shipped)
        _ = try IngestContext.open(
            conninfo: ingest, config: try config(ingest, state: state, calculation: file, efGrid: "0.7"),
            logger: TestCluster.logger)
        let plan = try rows(
            owner,
            """
            select e->>'calculation_sha256', e->'values'->>'EF_grid', e->>'calculation_text' = $1
            from jcm.plan_versions v, jsonb_array_elements(v.plan->'projects') e where v.version = 1
            """, [shipped])
        #expect(plan == [[LedgerDigest.hex(LedgerDigest.sha256(Array(shipped.utf8))), "0.7", "t"]])

        let period = try PeriodStore(db: try Connection(conninfo: ingest)).declare(
            project: "IN-JP-0001", name: "MR-1", starts: Timestamp(microseconds: 0),
            ends: Timestamp(microseconds: 1_000_000))
        #expect(period.planVersion == 1)
        #expect(period.methodologySHA256 == LedgerDigest.hex(LedgerDigest.sha256(Array(shipped.utf8))))
        #expect(period.planValues == #"{"EF_grid": 0.7}"#)

        // EF_grid changed, then the methodology file: each a new plan version; the period keeps its own.
        _ = try IngestContext.open(
            conninfo: ingest, config: try config(ingest, state: state, calculation: file, efGrid: "0.8"),
            logger: TestCluster.logger)
        _ = dir.write("pv-grid.toml", shipped + "\n# edited\n")
        _ = try IngestContext.open(
            conninfo: ingest, config: try config(ingest, state: state, calculation: file, efGrid: "0.8"),
            logger: TestCluster.logger)
        #expect(try scalar(owner, "select max(version) from jcm.plan_versions") == "3")
        #expect(
            try PeriodStore(db: try Connection(conninfo: owner)).period(project: "IN-JP-0001", name: "MR-1")?.planValues
                == #"{"EF_grid": 0.7}"#)
        #expect(try verify(owner) == [])

        // The ingest role cannot change a meter's unit in place; a superuser can, and verify says so.
        #expect(throws: PostgresError.self) {
            try Connection(conninfo: ingest).execute("update jcm.meters set unit = 'kWh' where id = 'PV-1'")
        }
        try Connection(conninfo: owner).execute(
            "set session_replication_role = replica; update jcm.meters set unit = 'kWh' where id = 'PV-1'")
        var findings = try verify(owner)
        #expect(
            findings.count == 1
                && findings[0].contains(
                    "meter PV-1: jcm.meters has it as IN-JP-0001 EG_p cumulative kWh, plan version 3 as IN-JP-0001 EG_p cumulative MWh"
                ),
            "\(findings)")

        // EF_grid rewritten in the declared period behind the ledger.
        try Connection(conninfo: owner).execute(
            """
            set session_replication_role = replica;
            update jcm.meters set unit = 'MWh' where id = 'PV-1';
            update jcm.monitoring_periods set plan_values = '{"EF_grid": 0.8}'
            """)
        findings = try verify(owner)
        #expect(
            findings.count == 1
                && findings[0].contains(
                    "period IN-JP-0001 MR-1: its frozen methodology hash or values are not those of plan version 1"),
            "\(findings)")
    }
}
