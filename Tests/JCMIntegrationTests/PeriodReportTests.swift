import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

/// Worked examples of the shipped methodologies, from report files to `jcm-ingestd report`,
/// with the numbers worked out by hand below.
@Suite("monitoring periods and emission reductions")
struct PeriodReportTests {
    let dir = TempDir()
    static let methodologies = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../config/methodologies"
    ).standardized.path

    func config(_ conninfo: String, calculation: String, values: String, meters: String, parameters: String) -> String {
        """
        [database]
        url = "\(conninfo)"

        [daemon]
        state_dir = "\(TestCluster.scratch())"
        log_level = "warning"

        [[project]]
        id = "IN-JP-0001"
        methodology = "JCM_IN_AM001 ver01.0"
        calculation = "\(Self.methodologies)/\(calculation)"
        values = { \(values) }

        \(parameters)
        \(meters)
        """
    }

    static func meter(_ id: String, parameter: String, kind: String = "cumulative", validUntil: String) -> String {
        """
        [[meter]]
        id = "\(id)"
        project = "IN-JP-0001"
        parameter = "\(parameter)"
        kind = "\(kind)"
        unit = "kWh"
        expected_interval = "1h"
        max_permissible_error = "0.5%"
        [[meter.calibration]]
        certificate = "CAL-\(id)"
        calibrated = 2026-01-01T00:00:00Z
        valid_until = \(validUntil)

        """
    }

    func ingest(_ configText: String, _ files: [(String, String)]) throws -> (config: String, conninfo: String) {
        let path = dir.write("jcm.toml", configText)
        let config = try Config.parse(configText, file: path)
        let conninfo = config.database.url
        var context = try IngestContext.open(conninfo: conninfo, config: config, logger: TestCluster.logger)
        let ingestor = ReportIngestor(store: context.store, batchRows: 50_000, logger: TestCluster.logger)
        for (name, text) in files {
            let summary = try ingestor.ingest(path: dir.write(name, text), zone: nil, validator: &context.validator)
            #expect(summary.counts.rejected == 0, "\(name): \(summary.firstProblems)")
        }
        return (path, conninfo)
    }

    func report(_ config: String, status: Int32 = 0) throws -> JSONValue {
        let r = try CommandLineTests.run([
            "report", "-c", config, "--project", "IN-JP-0001", "--period", "MR-1", "--format", "json",
        ])
        #expect(r.status == status, "\(r.err)")
        return try JSON.parse(r.out)
    }

    static func csv(_ rows: [(meter: String, hour: Int, kwh: Int)]) -> String {
        "meter_id,timestamp,value,unit\n"
            + rows.map { "\($0.meter),2026-10-01T0\($0.hour):00:00Z,\($0.kwh),kWh\n" }.joined()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func solarPVWithAResetAGapACalibrationLapseAndTheRoundDown() throws {
        let conninfo = try TestCluster.freshDatabase()
        let text = config(
            conninfo, calculation: "pv-grid.toml", values: #"EF_grid = "0.7""#,
            meters: Self.meter("PV-1", parameter: "EG_p", validUntil: "2027-01-01T00:00:00Z")
                + Self.meter("PV-2", parameter: "EG_p", validUntil: "2026-10-01T03:30:00Z"),
            parameters: "[[parameter]]\nproject = \"IN-JP-0001\"\nid = \"EG_p\"\nunit = \"MWh\"\noption = \"C\"\n")
        // PV-1: 100, 150 MWh, no reading at 03:00 (the 04:00 delta of 150 spans it), a reset at
        // 05:00 (the counter restarts: 20 MWh), 100 MWh: 520 MWh over 5 readings, 1 interval missing.
        // PV-2: 100 MWh an hour, 600 MWh; its certificate ran out at 03:30, so 04:00-06:00 (300 MWh)
        // are flagged calibration_lapsed and 0.5 % of them, 1.5 MWh, is deducted.
        // EG_p = 1,120 − 1.5 = 1,118.5 MWh; RE = 1,118.5 × 0.7 = 782.95 tCO2; PE = 0; ER = 782 (down).
        let pv1 = [(0, 1_000_000), (1, 1_100_000), (2, 1_250_000), (4, 1_400_000), (5, 20_000), (6, 120_000)].map {
            ("PV-1", $0.0, $0.1)
        }
        let pv2 = (0...6).map { ("PV-2", $0, 500_000 + 100_000 * $0) }
        let (config, _) = try ingest(text, [("logger.csv", Self.csv(pv1 + pv2))])

        let declared = try CommandLineTests.run([
            "period", "declare", "-c", config, "--project", "IN-JP-0001", "--name", "MR-1",
            "--start", "2026-10-01T00:00:00Z", "--end", "2026-10-01T06:00:01Z",
        ])
        #expect(declared.status == 0, "\(declared.err)")
        // Arrives after the freeze: kept, shown, not part of the period.
        _ = try ingest(text, [("late.csv", Self.csv([("PV-1", 3, 1_300_000)]))])

        // The reading that arrived after the freeze makes the report exit 3, with its warning.
        let json = try report(config, status: 3)
        #expect(json["summary"]?["emission_reductions_tco2e"]?.stringValue == "782")
        #expect(json["summary"]?["vintage"]?.stringValue == "2026")
        #expect(json["summary"]?["arrived_after_freeze"]?.numberLiteral == "1")
        #expect(json["summary"]?["chain_head_intact"]?.boolValue == true)
        #expect(json["summary"]?["unrounded"]?.stringValue == "782.95")
        #expect(json["summary"]?["exit_status"]?.numberLiteral == "3")
        #expect(
            json["warnings"]?.arrayValue?.map { $0["warning"]?.stringValue ?? "" }
                == [
                    "meter PV-2: 3 intervals outside calibration, deducted conservatively",
                    "1 reading of the period arrived after it was declared: kept, not part of it",
                ])
        let eg = json["parameters"]?.arrayValue?.first { $0["parameter"]?.stringValue == "EG_p" }
        #expect(eg?["measured"]?.stringValue.flatMap { ExactDecimal(parsing: $0) } == ExactDecimal(parsing: "1120"))
        #expect(eg?["adjusted"]?.stringValue.flatMap { ExactDecimal(parsing: $0) } == ExactDecimal(parsing: "1118.5"))
        let lapse = json["corrections"]?.arrayValue ?? []
        #expect(lapse.count == 1)
        #expect(lapse.first?["meter"]?.stringValue == "PV-2")
        let meters = json["meters"]?.arrayValue ?? []
        #expect(meters.first { $0["meter"]?.stringValue == "PV-1" }?["missing_intervals"]?.numberLiteral == "1")
        #expect(meters.first { $0["meter"]?.stringValue == "PV-1" }?["resets"]?.numberLiteral == "1")
        // Without a capacity, the reset is credited by the half-register rule, and said so.
        let steps = json["steps"]?.arrayValue ?? []
        #expect(
            steps.map { [$0["meter"]?.stringValue, $0["step"]?.stringValue, $0["basis"]?.stringValue] }
                == [["PV-1", "reset", "half-register rule (no capacity)"]])
        // Every input value, each with its batch, link and chain hash, times in one format.
        let dataset = json["dataset"]?.arrayValue ?? []
        #expect(dataset.count == 11)
        #expect(
            dataset.allSatisfy {
                $0["chain_hash"]?.stringValue?.count == 64 && $0["plan_version"]?.numberLiteral != nil
            })
        #expect(dataset.first?["ts_to"]?.stringValue == "2026-10-01T01:00:00Z")
        #expect(
            dataset.allSatisfy { $0["raw_unit"]?.stringValue == "kWh" && $0["parameter_unit"]?.stringValue == "MWh" })

        let folder = dir.path + "/csv"
        let csv = try CommandLineTests.run([
            "report", "-c", config, "--project", "IN-JP-0001", "--period", "MR-1", "--format", "csv", "-o", folder,
        ])
        #expect(csv.status == 3)
        #expect(csv.err.contains("wrote \(folder)/summary.csv"))
        let summaryCSV = try String(contentsOfFile: folder + "/summary.csv", encoding: .utf8)
        #expect(summaryCSV.hasPrefix("field,value\n"))
        #expect(summaryCSV.contains("emission_reductions_tco2e,782\n"))
        // header + 11
        #expect(try String(contentsOfFile: folder + "/dataset.csv", encoding: .utf8).split(separator: "\n").count == 12)
        let printed = try CommandLineTests.run(["report", "-c", config, "--project", "IN-JP-0001", "--period", "MR-1"])
        #expect(printed.out.contains("emission_reductions_tco2e: 782\n"))
        #expect(printed.err.contains("warning: IN-JP-0001 MR-1: 1 reading of the period arrived after it was declared"))
        #expect(printed.out.contains("calibration_lapse"), "\(printed.out)")
        #expect(try CommandLineTests.run(["verify", "-c", config]).status == 0)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func chillerReplacementWithProjectEmissionsAndAnInexactRatio() throws {
        let conninfo = try TestCluster.freshDatabase()
        let text = config(
            conninfo, calculation: "chiller.toml", values: #"COP_PJ = "6.1", COP_RE = "4.2", EF_elec = "0.82""#,
            meters: Self.meter("CH-1", parameter: "EC_PJ", kind: "interval", validUntil: "2027-01-01T00:00:00Z"),
            parameters: "[[parameter]]\nproject = \"IN-JP-0001\"\nid = \"EC_PJ\"\nunit = \"MWh\"\noption = \"C\"\n")
        // 6 hours of 1,000 kWh and one of the hours missing: EC_PJ = 5 MWh measured. The missing
        // interval of a parameter that raises reductions is excluded, not filled.
        // PE = 5 × 0.82 = 4.1; RE = 5 × 6.1 / 4.2 × 0.82 = 5.9547619047… ; ER = 1.8547… → 1.
        let rows = [1, 2, 3, 5, 6].map { ("CH-1", $0, 1_000) }
        let (config, _) = try ingest(text, [("chiller.csv", Self.csv(rows))])
        #expect(
            try CommandLineTests.run([
                "period", "declare", "-c", config, "--project", "IN-JP-0001", "--name", "MR-1",
                "--start", "2026-10-01T00:00:00Z", "--end", "2026-10-01T06:00:01Z",
            ]).status == 0)
        let json = try report(config)
        #expect(json["summary"]?["emission_reductions_tco2e"]?.stringValue == "1")
        let equations = json["equations"]?.arrayValue ?? []
        let pe = equations.first { $0["equation"]?.stringValue == "PE_p" }?["value"]?.stringValue
        #expect(pe.flatMap { ExactDecimal(parsing: $0) } == ExactDecimal(parsing: "4.1"))
        let re = equations.first { $0["equation"]?.stringValue == "RE_p" }?["value"]?.stringValue ?? ""
        #expect(re.hasPrefix("5.95476190476190"))
        #expect(json["summary"]?["exact"]?.boolValue == false)
        #expect(json["notes"]?.arrayValue?.contains { $0["kind"]?.stringValue == "excluded" } == true)
        // A second, overlapping period is refused by the database.
        let again = try CommandLineTests.run([
            "period", "declare", "-c", config, "--project", "IN-JP-0001", "--name", "MR-2",
            "--start", "2026-10-01T05:00:00Z", "--end", "2026-10-01T08:00:00Z",
        ])
        #expect(again.status != 0)
        #expect(again.err.contains("overlaps"))
    }
}
