import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

/// `report` computes a declared period with the methodology file and option A values the period
/// froze: EF_grid or the file changed afterwards changes no number, and the report says so.
@Suite("report computes with the period's frozen inputs")
struct FrozenReportTests {
    let dir = TempDir()

    func config(_ conninfo: String, state: String, calculation: String, efGrid: String) -> String {
        """
        [database]
        url = "\(conninfo)"
        [daemon]
        state_dir = "\(state)"
        log_level = "warning"
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
        \(PeriodReportTests.meter("PV-1", parameter: "EG_p", validUntil: "2027-01-01T00:00:00Z"))
        """
    }

    func report(_ config: String) throws -> (json: JSONValue, err: String) {
        let r = try CommandLineTests.run([
            "report", "-c", config, "--project", "IN-JP-0001", "--period", "MR-1", "--format", "json",
        ])
        #expect(r.status == 0, "\(r.err)")
        return (try JSON.parse(r.out), r.err)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func efGridAndTheMethodologyFileChangedAfterTheDeclarationChangeNoNumber() throws {
        let (owner, ingest) = try ForeignLinkTests.ingestRole()
        let state = TestCluster.scratch()
        let shipped = try String(contentsOfFile: PeriodReportTests.methodologies + "/pv-grid.toml", encoding: .utf8)
        let methodology = dir.write("pv-grid.toml", shipped)
        let path = dir.write("jcm.toml", config(ingest, state: state, calculation: methodology, efGrid: "0.7"))
        var context = try IngestContext.open(
            conninfo: ingest, config: try Config.parse(try String(contentsOfFile: path, encoding: .utf8), file: path),
            logger: TestCluster.logger)
        // 0, 1,000 and 2,000 MWh on the hour: EG_p = 2,000 MWh; ER = 2,000 × 0.7 = 1,400 t.
        let csv =
            "meter_id,timestamp,value,unit\n"
            + (0...2).map { "PV-1,2026-10-01T0\($0):00:00Z,\($0 * 1_000_000),kWh\n" }.joined()
        let summary = try ReportIngestor(store: context.store, batchRows: 50_000, logger: TestCluster.logger)
            .ingest(path: dir.write("logger.csv", csv), zone: nil, validator: &context.validator)
        #expect(summary.counts.accepted == 3, "\(summary.firstProblems)")
        let declared = try CommandLineTests.run([
            "period", "declare", "-c", path, "--project", "IN-JP-0001", "--name", "MR-1",
            "--start", "2026-10-01T00:00:00Z", "--end", "2026-10-01T02:00:01Z",
        ])
        #expect(declared.status == 0, "\(declared.err)")
        let before = try report(path)
        #expect(before.json["summary"]?["emission_reductions_tco2e"]?.stringValue == "1400")
        #expect(before.json["summary"]?["configuration_differs"] == .null)

        // EF_grid becomes 0.8 and the methodology's PE_p half of EG_p: today's configuration would
        // give 2,000 × 0.8 − 1,000 = 600 t. The period keeps 1,400.
        _ = dir.write(
            "pv-grid.toml",
            shipped.replacingOccurrences(
                of: "id = \"PE_p\"\nexpression = \"0\"", with: "id = \"PE_p\"\nexpression = \"EG_p * 0.5\""))
        #expect(try String(contentsOfFile: methodology, encoding: .utf8).contains("EG_p * 0.5"))
        _ = dir.write("jcm.toml", config(ingest, state: state, calculation: methodology, efGrid: "0.8"))
        let after = try report(path)
        #expect(after.json["summary"]?["emission_reductions_tco2e"]?.stringValue == "1400", "\(after.json)")
        let differs = after.json["summary"]?["configuration_differs"]?.stringValue ?? ""
        #expect(differs.contains("EF_grid is 0.8 in the configuration, 0.7 as frozen"), "\(differs)")
        #expect(differs.contains("changed since the period was declared"), "\(differs)")
        #expect(after.err.contains("EF_grid is 0.8 in the configuration"), "warned on stderr: \(after.err)")

        // A row not as its plan version: the period's frozen values rewritten by a superuser.
        try Connection(conninfo: owner).execute(
            """
            set session_replication_role = replica;
            update jcm.monitoring_periods set plan_values = '{"EF_grid": 0.8}'
            """)
        let found = try VerifyCommandTests.run(["verify", "--conninfo", owner])
        #expect(found.status == 1, "\(found.out)")
        #expect(found.out.contains("period inputs not as its plan version"), "\(found.out)")
    }
}
