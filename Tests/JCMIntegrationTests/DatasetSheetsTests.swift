import Foundation
import JCMCore
import JCMDaemon
import Testing

/// The workbook's Dataset past one sheet: Excel shows 1,048,576 rows a sheet, so the rows go on
/// in "Dataset (2)" and after, each an Excel table, read back by openpyxl. Here a sheet holds 4.
@Suite struct DatasetSheetsTests {
    static var openpyxl: Bool {
        (try? CheckpointTests.python(["-c", "import openpyxl"]).status) == 0
    }

    static func sheets() throws -> MonitoringReportSheets {
        let m = try Methodology.parse(
            try String(contentsOfFile: CheckConfigMessageTests.methodologies + "/pv-grid.toml", encoding: .utf8),
            file: "pv-grid.toml")
        let d = { (s: String) in ExactDecimal(parsing: s)! }
        let result = try PeriodCalculation.calculate(
            m, values: ["EF_grid": d("0.7")],
            meters: [
                "EG_p": [
                    MeterPeriodInput(
                        meter: "PV-1", kind: .cumulative, measured: d("600"), lapses: [], missingIntervals: 0,
                        largestInterval: nil, held: 0, creditedByRule: 0)
                ]
            ])
        let accounts = [
            Config.AllocationAccount(holder: .participant, name: "Co", share: CreditShare(parsing: "1")!)
        ]
        return MonitoringReportSheets(
            project: "P", projectName: nil, period: "MR-1", starts: Timestamp(microseconds: 0),
            ends: Timestamp(microseconds: 3_600_000_000), methodology: m, result: result,
            monitored: [
                .init(
                    parameter: "EG_p", meter: "PV-1", texts: Config.SheetTexts(point: "1"), value: d("600"),
                    unit: "MWh", option: .c)
            ],
            sources: [:], blocks: [], about: [("project", .text("P"))],
            allocation: CreditAllocation.allocate(420, to: accounts)!, credits: 420)
    }

    static let columns = ["meter_id", "ts_to", "value", "chain_hash"]
    static let kinds: [XLSXRowWriter.Kind] = [.text, .time, .decimal, .text]

    static func row(_ i: Int) -> [FieldValue] {
        [
            .text("PV-\(i % 2)"), .text("2026-10-01T0\(i):00:00Z"),
            .decimal(ExactDecimal(significand: Int128(i), scale: 1)),
            .text(String(repeating: "ab", count: 32)),
        ]
    }

    @Test(.enabled(if: openpyxl))
    func tenRowsAtFourASheetAreThreeTables() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dataset-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("book.xlsx").path
        var book = ReportWorkbook(sheets: try Self.sheets(), datasetColumns: Self.columns, kinds: Self.kinds) { emit in
            for i in 0..<10 { try emit(Self.row(i)) }
        }
        book.rowsPerSheet = 4
        try book.write(to: file)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["book.xlsx"])

        let read = try CheckpointTests.python([
            "-c",
            """
            import json, sys, openpyxl
            wb = openpyxl.load_workbook(sys.argv[1])
            out = {"sheets": wb.sheetnames, "tables": {}, "rows": {}}
            for ws in wb.worksheets:
                for t in ws.tables.values(): out["tables"][t.name] = t.ref
                if ws.title.startswith("Dataset"):
                    out["rows"][ws.title] = [[c if not hasattr(c, "isoformat") else c.isoformat()
                                              for c in r] for r in ws.iter_rows(values_only=True)]
            print(json.dumps(out))
            """, file,
        ])
        #expect(read.status == 0, "\(read.output)")
        let out = try JSON.parse(read.output)
        #expect(
            out["sheets"]?.arrayValue?.compactMap(\.stringValue) == [
                "MRS(input)", "MRS(calc_process)", "Corrections", "Dataset", "Dataset (2)", "Dataset (3)",
                "Issuance request", "About",
            ])
        #expect(out["tables"]?["Dataset"]?.stringValue == "A1:D5")
        #expect(out["tables"]?["Dataset2"]?.stringValue == "A1:D5")
        #expect(out["tables"]?["Dataset3"]?.stringValue == "A1:D3")
        let rows = ["Dataset", "Dataset (2)", "Dataset (3)"].flatMap { name in
            (out["rows"]?[name]?.arrayValue ?? []).map { $0.arrayValue ?? [] }
        }
        // Each sheet starts with the header; the rows follow in order across the sheets.
        #expect(rows.count == 13)
        #expect(rows.filter { $0.first?.stringValue == "meter_id" }.count == 3)
        let data = rows.filter { $0.first?.stringValue != "meter_id" }
        #expect(data.map { $0.first?.stringValue ?? "" } == (0..<10).map { "PV-\($0 % 2)" })
        #expect(data.map { $0[1].stringValue ?? "" } == (0..<10).map { "2026-10-01T0\($0):00:00" })
        #expect(data.map { $0[2].numberLiteral.flatMap(Double.init) ?? -1 } == (0..<10).map { Double($0) / 10 })
        #expect(data.allSatisfy { $0[3].stringValue == String(repeating: "ab", count: 32) })
    }

    /// A dataset that fails midway leaves neither the workbook nor a scratch file behind.
    @Test func aFailedDatasetLeavesNothing() throws {
        struct Broken: Error {}
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dataset-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var book = ReportWorkbook(sheets: try Self.sheets(), datasetColumns: Self.columns, kinds: Self.kinds) { emit in
            for i in 0..<6 { try emit(Self.row(i)) }
            throw Broken()
        }
        book.rowsPerSheet = 4
        #expect(throws: Broken.self) { try book.write(to: dir.appendingPathComponent("book.xlsx").path) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [])
    }
}
