import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

/// A period's result is a function of the stored readings, not of the order they arrived in
/// (docs/methodologies.md, "The series in time order"). Each test works a case out by hand.
@Suite("period numbers from the series in time order")
struct PeriodSeriesTests {
    let dir = TempDir()

    static let methodologies = PeriodReportTests.methodologies

    /// One PV counter of 1 MW (24,000 kWh a day at most) that wraps at 10,000,000 kWh, read daily
    /// at 12:00 UTC; slots end at midnight (monitoring_start is one).
    func config(_ conninfo: String, meter extra: String = "", calibrations: String = "") -> String {
        """
        [database]
        url = "\(conninfo)"

        [daemon]
        state_dir = "\(TestCluster.scratch())"
        log_level = "warning"

        [[project]]
        id = "P"
        methodology = "JCM_PV_GRID ver1.0"
        monitoring_start = 2026-09-01T00:00:00Z
        calculation = "\(Self.methodologies)/pv-grid.toml"
        values = { EF_grid = "0.7" }

        [[parameter]]
        project = "P"
        id = "EG_p"
        unit = "MWh"
        option = "C"

        [[meter]]
        id = "PV"
        project = "P"
        parameter = "EG_p"
        kind = "cumulative"
        unit = "kWh"
        expected_interval = "1d"
        capacity = "1 MW"
        rollover = 10000000
        max_permissible_error = "0.5%"
        \(extra)
        \(calibrations.isEmpty ? "[[meter.calibration]]\ncertificate = \"C-1\"\ncalibrated = 2026-01-01\nvalid_until = 2027-12-31\n" : calibrations)
        """
    }

    static func csv(_ rows: [(day: String, kwh: Int)]) -> String {
        "meter_id,timestamp,value,unit\n" + rows.map { "PV,\($0.day)T12:00:00Z,\($0.kwh),kWh\n" }.joined()
    }

    static func days(_ month: Int, _ range: ClosedRange<Int>, _ value: (Int) -> Int) -> [(day: String, kwh: Int)] {
        range.map { d in (String(format: "2026-%02d-%02d", month, d), value(d)) }
    }

    /// September without its 30th; October with a reset on the 15th; November with a step on the
    /// 10th above what 1 MW can give in a day (held).
    static let exports: [(name: String, text: String)] = [
        ("2026-09.csv", csv(days(9, 1...29) { 100_000 + 10_000 * ($0 - 1) })),
        (
            "2026-10.csv",
            csv(days(10, 1...14) { 400_000 + 10_000 * ($0 - 1) } + days(10, 15...31) { 4_000 + 10_000 * ($0 - 15) })
        ),
        (
            "2026-11.csv",
            csv(days(11, 1...9) { 174_000 + 10_000 * ($0 - 1) } + days(11, 10...30) { 314_000 + 10_000 * ($0 - 10) })
        ),
    ]

    func ingest(_ configText: String, _ files: [(String, String)]) throws -> String {
        let path = dir.write("jcm-\(UUID().uuidString).toml", configText)
        let config = try Config.parse(configText, file: path)
        var context = try IngestContext.open(conninfo: config.database.url, config: config, logger: TestCluster.logger)
        let ingestor = ReportIngestor(store: context.store, batchRows: 50_000, logger: TestCluster.logger)
        for (name, text) in files {
            let summary = try ingestor.ingest(path: dir.write(name, text), zone: nil, validator: &context.validator)
            #expect(summary.counts.rejected == 0, "\(name): \(summary.firstProblems)")
        }
        return path
    }

    func declare(_ config: String, _ name: String, _ start: String, _ end: String) throws {
        let r = try CommandLineTests.run([
            "period", "declare", "-c", config, "--project", "P", "--name", name, "--start", start, "--end", end,
        ])
        #expect(r.status == 0, "\(r.err)")
    }

    func report(_ config: String, _ period: String) throws -> (status: Int32, json: JSONValue, err: String) {
        let r = try CommandLineTests.run([
            "report", "-c", config, "--project", "P", "--period", period, "--format", "json",
        ])
        return (r.status, try JSON.parse(r.out), r.err)
    }

    /// The numbers of a period that must not depend on arrival order.
    func numbers(_ j: JSONValue) -> [String] {
        let meter = j["meters"]?[0]
        let dataset = (j["dataset"]?.arrayValue ?? []).map { row in
            ["ts_to", "delta", "share", "step"].map { row[$0]?.stringValue ?? "-" }.joined(separator: " ")
        }
        return [
            j["summary"]?["emission_reductions_tco2e"]?.stringValue, j["summary"]?["unrounded"]?.stringValue,
            j["parameters"]?[0]?["measured"]?.stringValue, meter?["missing_intervals"]?.numberLiteral,
            meter?["held"]?.numberLiteral, meter?["resets"]?.numberLiteral, meter?["split"]?.numberLiteral,
        ]
        .map { $0 ?? "-" } + dataset
    }

    /// Hand computation. September: 28 steps of 10,000 kWh, and 36 of the 48 hours from Sep 29
    /// 12:00 to Oct 1 12:00 (20,000 kWh; Sep 30 missing) = 15,000: 295 MWh, ER 295 × 0.7 = 206.5 → 206.
    /// October: the other 5,000 of that step, 13 steps to the 14th (130,000), the reset to 4,000
    /// (a rollover would be 9,474,000 kWh in a day), 16 steps (160,000), and 12 of the 24 hours
    /// to Nov 1 12:00 (5,000): 304 MWh, ER 212.8 → 212.
    /// November: 5,000, 8 steps (80,000), the held 60,000, 20 steps (200,000): 285 MWh, ER 199.5 → 199.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func threeMonthlyExportsInEveryOrderGiveTheSameNumbers() throws {
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
        var results: [[String]] = []
        for order in orders {
            let config = try ingest(config(try TestCluster.freshDatabase()), order.map { Self.exports[$0] })
            try declare(config, "SEP", "2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z")
            try declare(config, "OCT", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")
            try declare(config, "NOV", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")
            var numbers: [String] = []
            for (period, er, unrounded, measured, missing, held, resets, split, status) in [
                ("SEP", "206", "206.5", "295", "1", "0", "0", "1", nil),
                ("OCT", "212", "212.8", "304", "0", "0", "1", "2", nil),
                ("NOV", "199", "199.5", "285", "0", "1", "0", "1", Int32(3)),
            ] {
                let r = try report(config, period)
                let n = self.numbers(r.json)
                #expect(
                    Array(n.prefix(7)) == [er, unrounded, measured, missing, held, resets, split],
                    "order \(order) \(period)")
                if let status { #expect(r.status == status, "order \(order) \(period): \(r.err)") }
                #expect(r.status == 0 || r.status == 3, "\(r.err)")
                numbers += n
            }
            results.append(numbers)
        }
        #expect(results.allSatisfy { $0 == results[0] })
        // The split step is in both periods' datasets, and its parts add up to the whole.
        #expect(results[0].contains("2026-10-01T12:00:00Z 20000 15000 normal"))
        #expect(results[0].contains("2026-10-01T12:00:00Z 20000 5000 normal"))
    }

    /// The held step of November is listed with its candidate and credited once resolved.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func aHeldStepIsListedThenCreditedOnceConfirmed() throws {
        let config = try ingest(config(try TestCluster.freshDatabase()), [Self.exports[2]])
        try declare(config, "NOV", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")
        let held = try report(config, "NOV")
        #expect(held.status == 3)
        #expect(held.err.contains("warning: P NOV: meter PV: 1 step held, credited 0 until resolved"))
        let step = held.json["steps"]?[0]
        #expect(step?["step"]?.stringValue == "held")
        #expect(step?["candidates"]?.stringValue == "as read 60000")
        #expect(step?["ts_to"]?.stringValue == "2026-11-10T12:00:00Z")
        #expect(held.json["notes"]?.arrayValue?.contains { $0["kind"]?.stringValue == "held" } == true)

        let resolved = try CommandLineTests.run([
            "resolve", "-c", config, "--meter", "PV", "--at", "2026-11-10T12:00:00Z", "--as", "confirmed",
            "--reason", "inverter firmware counted a week at once (site log 2026-11-10)",
        ])
        #expect(resolved.status == 0, "\(resolved.err)")
        let after = try report(config, "NOV")
        // 8 steps + 60,000 + 20 steps from the first reading on: 340 MWh.
        #expect(after.json["parameters"]?[0]?["measured"]?.stringValue == "340")
        #expect(after.json["steps"]?[0]?["step"]?.stringValue == "confirmed")
        #expect(after.json["steps"]?[0]?["basis"]?.stringValue?.hasPrefix("resolved by correction") == true)
        #expect(after.json["recorded_corrections"]?[0]?["resolution"]?.stringValue == "confirmed")
        #expect(after.status == 0, "\(after.err)")
    }

    /// A register of 1,000,000 kWh that drops at 60 % of it, from 600,000 to 30,000, in a day of
    /// at most 24,000 kWh: a rollover would be 430,000 kWh and a reset 30,000, neither possible,
    /// so the step is held (the old half-register rule credited the 430,000). Then resolved as a
    /// meter replacement: old register final 605,000, new register fitted at 20,000.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func aDropAtSixtyPercentIsHeldThenResolvedAsAReplacement() throws {
        let text = config(try TestCluster.freshDatabase()).replacingOccurrences(
            of: "rollover = 10000000", with: "rollover = 1000000")
        let rows =
            Self.days(10, 1...3) { 580_000 + 10_000 * ($0 - 1) } + Self.days(10, 4...5) { 30_000 + 10_000 * ($0 - 4) }
        let config = try ingest(text, [("replaced.csv", Self.csv(rows))])
        try declare(config, "OCT", "2026-10-01T12:00:00Z", "2026-10-06T00:00:00Z")
        let held = try report(config, "OCT")
        #expect(held.status == 3)
        // 20,000 counted (two steps to the 3rd), then the drop held, then 10,000.
        #expect(held.json["parameters"]?[0]?["measured"]?.stringValue == "30")
        let step = held.json["steps"]?[0]
        #expect(step?["step"]?.stringValue == "held")
        #expect(step?["candidates"]?.stringValue == "rollover 430000, reset 30000")

        let refused = try CommandLineTests.run([
            "resolve", "-c", config, "--meter", "PV", "--at", "2026-10-04T12:00:00Z", "--as", "replacement",
            "--old-final", "590000", "--new-start", "20000", "--reason", "x",
        ])
        #expect(refused.status != 0)
        #expect(refused.err.contains("the old register's final reading 590000 is below its last stored reading 600000"))
        let resolved = try CommandLineTests.run([
            "resolve", "-c", config, "--meter", "PV", "--at", "2026-10-04T12:00:00Z", "--as", "replacement",
            "--old-final", "605000", "--new-start", "20000", "--reason", "meter M-17 replaced by M-18, work order 4411",
        ])
        #expect(resolved.status == 0, "\(resolved.err)")
        let after = try report(config, "OCT")
        // (605,000 − 600,000) + (30,000 − 20,000) = 15,000: 20,000 + 15,000 + 10,000 = 45 MWh.
        #expect(after.json["parameters"]?[0]?["measured"]?.stringValue == "45")
        #expect(after.json["steps"]?[0]?["step"]?.stringValue == "replacement")
        #expect(after.json["steps"]?[0]?["delta"]?.stringValue == "15000")
        #expect(after.status == 0, "\(after.err)")
        // The resolution is sealed in the ledger like a reading.
        let verified = try CommandLineTests.run(["verify", "-c", config])
        #expect(verified.status == 0, "\(verified.out)\(verified.err)")
    }

    /// An interval meter's 15-minute slots from 00:00: readings at 00:10 (an extra, unscheduled),
    /// 00:15 and 00:45: the slots ending 00:30 and 01:00 are empty. Counting readings (3 of 4
    /// due) would say 1 missing; the slots say 2. jcm.gaps, between readings, has the one at 00:30.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func anExtraReadingNeverHidesAMissingInterval() throws {
        let text = config(try TestCluster.freshDatabase())
            .replacingOccurrences(of: "kind = \"cumulative\"", with: "kind = \"interval\"")
            .replacingOccurrences(of: "expected_interval = \"1d\"", with: "expected_interval = \"15m\"")
            .replacingOccurrences(of: "rollover = 10000000\n", with: "")
        let csv =
            "meter_id,timestamp,value,unit\nPV,2026-10-01T00:10:00Z,10,kWh\nPV,2026-10-01T00:15:00Z,100,kWh\nPV,2026-10-01T00:45:00Z,100,kWh\n"
        let config = try ingest(text, [("interval.csv", csv)])
        try declare(config, "H1", "2026-10-01T00:00:00Z", "2026-10-01T01:00:00Z")
        let r = try report(config, "H1")
        #expect(r.json["meters"]?[0]?["expected_intervals"]?.numberLiteral == "4")
        #expect(r.json["meters"]?[0]?["missing_intervals"]?.numberLiteral == "2")
        let gaps = try rows(config: config, "select missing_intervals::text from jcm.gaps where meter_id = 'PV'")
        #expect(gaps == [["1"]])
        #expect(
            r.json["notes"]?.arrayValue?.contains {
                $0["kind"]?.stringValue == "excluded" && $0["intervals"]?.numberLiteral == "2"
            } == true)
    }

    /// A certificate that ends at a reading's time covers the interval that ends there; the next
    /// interval, which starts there, is lapsed whole, and is deducted at the as-found error of the
    /// recalibration that ended the lapse (2 %, above the MPE of 0.5 %).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func aCertificateBoundaryOnAReadingAndAnAsFoundErrorAboveTheMPE() throws {
        let calibrations = """
            [[meter.calibration]]
            certificate = "C-1"
            calibrated = 2026-01-01T00:00:00Z
            valid_until = 2026-10-03T12:00:00Z
            [[meter.calibration]]
            certificate = "C-2"
            calibrated = 2026-10-05T12:00:00Z
            valid_until = 2027-10-05T12:00:00Z
            as_found_error = "-2%"
            """
        let text = config(try TestCluster.freshDatabase(), calibrations: calibrations)
        let config = try ingest(text, [("cal.csv", Self.csv(Self.days(10, 1...7) { 100_000 + 10_000 * ($0 - 1) }))])
        try declare(config, "OCT", "2026-10-01T12:00:00Z", "2026-10-07T12:00:00Z")
        let r = try report(config, "OCT")
        // Steps ending 10-02 and 10-03 are covered by C-1 (the second ends exactly at its end);
        // 10-04 and 10-05 fall in the lapse (the 10-05 one ends at C-2's start, but starts before
        // it); 10-06 and 10-07 are covered by C-2. 20,000 kWh lapsed × 2 % = 400 kWh deducted.
        let lapsed = (r.json["dataset"]?.arrayValue ?? []).filter { $0["lapsed"]?.boolValue == true }.map {
            $0["ts_to"]?.stringValue ?? ""
        }
        #expect(lapsed == ["2026-10-04T12:00:00Z", "2026-10-05T12:00:00Z"])
        let correction = r.json["corrections"]?[0]
        #expect(correction?["basis"]?.stringValue == "20")
        #expect(correction?["factor"]?.stringValue == "2")
        #expect(correction?["amount"]?.stringValue == "-0.4")
        #expect(r.json["parameters"]?[0]?["adjusted"]?.stringValue == "59.6")
    }

    /// A renewal that overlaps the old certificate covers the interval straddling it (no lapse);
    /// with six hours between the certificates, the interval spanning them is lapsed (migration 14
    /// reads the certificates per meter; the rule is 0009's).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func anOverlappingRenewalCoversAndAGapBetweenCertificatesLapses() throws {
        func certificates(_ firstEnds: String, _ secondStarts: String) -> String {
            """
            [[meter.calibration]]
            certificate = "C-1"
            calibrated = 2026-01-01T00:00:00Z
            valid_until = \(firstEnds)
            [[meter.calibration]]
            certificate = "C-2"
            calibrated = \(secondStarts)
            valid_until = 2027-10-05T12:00:00Z
            """
        }
        let rows = Self.csv(Self.days(10, 1...7) { 100_000 + 10_000 * ($0 - 1) })
        // The interval (10-03 12:00, 10-04 12:00] lies within neither certificate alone.
        var lapsedBy: [String: [String]] = [:]
        for (name, cals) in [
            ("overlap", certificates("2026-10-04T00:00:00Z", "2026-10-03T18:00:00Z")),
            ("gap", certificates("2026-10-03T18:00:00Z", "2026-10-04T00:00:00Z")),
        ] {
            let text = config(try TestCluster.freshDatabase(), calibrations: cals)
            let config = try ingest(text, [("cal-\(name).csv", rows)])
            try declare(config, "OCT", "2026-10-01T12:00:00Z", "2026-10-07T12:00:00Z")
            let r = try report(config, "OCT")
            lapsedBy[name] = (r.json["dataset"]?.arrayValue ?? []).filter { $0["lapsed"]?.boolValue == true }.map {
                $0["ts_to"]?.stringValue ?? ""
            }
        }
        #expect(lapsedBy["overlap"] == [])
        #expect(lapsedBy["gap"] == ["2026-10-04T12:00:00Z"])
    }

    /// An unknown period is named with the declared ones; a meter id written as a formula reaches
    /// the CSV files as text a spreadsheet will not run.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func reportNamesTheDeclaredPeriodsAndNeutralisesFormulas() throws {
        let text = config(try TestCluster.freshDatabase()).replacingOccurrences(
            of: "id = \"PV\"", with: "id = \"=HYPERLINK(\\\"http://x\\\")\"")
        let config = try ingest(text, [])
        let none = try CommandLineTests.run(["report", "-c", config, "--project", "P", "--period", "nope"])
        #expect(none.status != 0)
        #expect(
            none.err.contains(
                "no monitoring period nope of project P: none is declared yet; declare one with `jcm-ingestd period declare`"
            ))
        try declare(config, "SEP", "2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z")
        try declare(config, "OCT", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")
        let unknown = try CommandLineTests.run(["report", "-c", config, "--project", "P", "--period", "nope"])
        #expect(unknown.err.contains("no monitoring period nope of project P: declared: SEP, OCT"), "\(unknown.err)")
        let folder = dir.path + "/csv-formula"
        let csv = try CommandLineTests.run([
            "report", "-c", config, "--project", "P", "--period", "SEP", "--format", "csv", "-o", folder,
        ])
        #expect(csv.status == 0 || csv.status == 4, "\(csv.err)")
        let meters = try String(contentsOfFile: folder + "/meters.csv", encoding: .utf8)
        #expect(meters.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "\(meters)")
    }

    /// jcm.units is MeasurementUnit.all, so SQL converts exactly as Swift does.
    @Test func theUnitTableIsTheSwiftOne() throws {
        let conninfo = try TestCluster.freshDatabase()
        try Migrator.migrate(try Connection(conninfo: conninfo), logger: TestCluster.logger)
        let sql = try JCMIntegrationTests.rows(
            conninfo, "select symbol, dimension, factor::text from jcm.units order by symbol")
        let swift = MeasurementUnit.all.sorted { $0.symbol < $1.symbol }.map {
            [$0.symbol, $0.dimension.rawValue, String($0.factor)]
        }
        #expect(sql == swift)
        for (value, from, to) in [("1234.5", "kWh", "MWh"), ("7", "MJ", "kWh"), ("2.5", "t", "kg")] {
            let d = ExactDecimal(parsing: value)!
            let expected = try d.converted(from: MeasurementUnit.named(from)!, to: MeasurementUnit.named(to)!).value
            let got = try scalar(conninfo, "select jcm.convert_unit($1::numeric, $2, $3)::text", [value, from, to])
            #expect(got.flatMap { ExactDecimal(parsing: $0) } == expected, "\(value) \(from) → \(to)")
        }
        #expect(try scalar(conninfo, "select jcm.convert_unit(1, 'kWh', 'kg') is null") == "t")
    }

    func rows(config: String, _ sql: String) throws -> [[String?]] {
        let c = try Config.parse(try String(contentsOfFile: config, encoding: .utf8), file: config)
        return try Connection(conninfo: c.database.url).query(sql).rows
    }
}
