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

    /// The sheet's texts and the allocation are part of the plan the period froze: edited in the
    /// configuration afterwards, the report keeps the frozen ones and says what differs.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func sheetTextsAndTheAllocationChangedAfterTheDeclarationChangeNothingReported() throws {
        let conninfo = try TestCluster.freshDatabase()
        let state = TestCluster.scratch()
        let methodology = dir.write(
            "pv-grid.toml",
            try String(contentsOfFile: PeriodReportTests.methodologies + "/pv-grid.toml", encoding: .utf8))
        func text(source: String, point: String, shares: (String, String)) -> String {
            config(conninfo, state: state, calculation: methodology, efGrid: "0.7")
                .replacingOccurrences(
                    of: "[[parameter]]",
                    with: """
                        [[project.allocation]]
                        holder = "partner_government"
                        name = "Ministry of Power"
                        share = "\(shares.0)"
                        [[project.allocation]]
                        holder = "participant"
                        name = "Solar Co"
                        share = "\(shares.1)"
                        [[parameter]]
                        source_of_data = "\(source)"
                        """
                )
                .replacingOccurrences(
                    of: "parameter = \"EG_p\"\n", with: "parameter = \"EG_p\"\nmonitoring_point = \"\(point)\"\n")
        }
        let path = dir.write("jcm.toml", text(source: "Meters at the inverters", point: "1", shares: ("1/2", "1/2")))
        var context = try IngestContext.open(
            conninfo: conninfo, config: try Config.parse(try String(contentsOfFile: path, encoding: .utf8), file: path),
            logger: TestCluster.logger)
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
        // ER = 1,400 t: 700 credits each.
        #expect(before.json["allocation"]?.arrayValue?.map { $0["credits"]?.numberLiteral ?? "" } == ["700", "700"])
        #expect(before.json["summary"]?["configuration_differs"] == .null, "\(before.json)")

        _ = dir.write(
            "jcm.toml", text(source: "Revenue meter at the grid connection", point: "9", shares: ("1/4", "3/4")))
        let after = try report(path)
        #expect(after.json["allocation"]?.arrayValue?.map { $0["credits"]?.numberLiteral ?? "" } == ["700", "700"])
        let differs = after.json["summary"]?["configuration_differs"]?.stringValue ?? ""
        #expect(
            differs.contains(
                "the allocation is Ministry of Power 1/4, Solar Co 3/4 in the configuration, Ministry of Power 1/2, Solar Co 1/2 as frozen"
            ), "\(differs)")
        #expect(differs.contains("parameter EG_p: source_of_data changed in the configuration"), "\(differs)")
        #expect(differs.contains("meter PV-1: monitoring_point changed in the configuration"), "\(differs)")
        #expect(after.err.contains("the allocation is Ministry of Power 1/4"), "warned on stderr: \(after.err)")

        // The workbook's Table 1 and Issuance request say what was frozen.
        let file = dir.path + "/MR-1.xlsx"
        let written = try CommandLineTests.run([
            "report", "-c", path, "--project", "IN-JP-0001", "--period", "MR-1", "--format", "xlsx", "-o", file,
        ])
        #expect(written.status == 0, "\(written.err)")
        // openpyxl reads the two sheets (the About sheet names what differs: not read here).
        let sheets = try CheckpointTests.python([
            "-c",
            "import sys, openpyxl; b = openpyxl.load_workbook(sys.argv[1]); "
                + "print('|'.join(str(c) for n in ('MRS(input)', 'Issuance request') for r in b[n].iter_rows(values_only=True) for c in r if c is not None))",
            file,
        ])
        #expect(sheets.status == 0, "\(sheets.output)")
        #expect(sheets.output.contains("|Meters at the inverters|"), "\(sheets.output)")
        #expect(!sheets.output.contains("Revenue meter"), "\(sheets.output)")
        #expect(sheets.output.contains("|1/2|") && !sheets.output.contains("3/4"), "\(sheets.output)")
    }
}
