import Foundation
import JCMCore
import JCMPostgres
import Testing

@testable import JCMDaemon

/// An .xlsx report lands exactly like its CSV twin. The workbooks are written by independent
/// writers (XlsxWriter: shared strings; openpyxl: inline strings), never by this project's code.
@Suite("xlsx report file → rows")
struct XLSXReportIngestTests {
    let dir = TempDir()

    /// meter, local time, value (a number, or text as typed), unit, note
    static let sample: [(String, String, String, String, String)] = [
        ("PV-1", "2026-11-01T00:00:00", "1000.25", "kWh", "start"),
        ("PV-1", "2026-11-01T01:00:00", "1001.5", "kWh", "a, b"),
        ("PV-1", "2026-11-01T02:00:00", "1003", "kWh", ""),
        ("PV-1", "2026-11-01T03:00:00", "1004.75", "kWh", "x"),
        ("PV-1", "2026-11-01T04:00:00", "'1,5", "kWh", "decimal comma typed as text"),
        ("PV-2", "2026-11-01T00:00:00", "2000", "kWh", ""),
        ("PV-2", "2026-11-01T00:30:15", "2000.5", "kWh", "seconds"),
        ("PV-2", "2026-11-01T01:00:00", "2001000.25", "Wh", "watt-hours"),
        ("FUEL-1", "2026-11-01T00:00:00", "2500", "L", ""),
        ("FUEL-1", "2026-11-01T01:00:00", "12.125", "kL", ""),
    ]

    /// The CSV twin: the same rows as a spreadsheet's "Save as CSV" writes them.
    func csv() -> String {
        func quoted(_ s: String) -> String { s.contains(",") ? "\"\(s)\"" : s }
        return "meter_id,timestamp,value,unit,note\n"
            + Self.sample.map { r in
                [r.0, r.1, quoted(r.2.hasPrefix("'") ? String(r.2.dropFirst()) : r.2), r.3, quoted(r.4)]
                    .joined(separator: ",")
            }.joined(separator: "\n") + "\n"
    }

    /// The rows as Python tuples: a value starting with ' is text, any other a number.
    var spec: String {
        Self.sample.map { r in
            "(\(py(r.0)), \(py(r.1)), \(r.2.hasPrefix("'") ? py(String(r.2.dropFirst())) : r.2), \(py(r.3)), \(py(r.4)))"
        }.joined(separator: ",\n")
    }

    /// Excel's own layout, by XlsxWriter: strings in the shared-strings table, timestamps as date
    /// cells with a date format, numbers as numbers.
    func sharedStringsWorkbook(_ name: String) throws -> String {
        let path = dir.path + "/" + name
        try run(
            """
            import datetime, xlsxwriter
            wb = xlsxwriter.Workbook(\(py(path)))
            ws = wb.add_worksheet("Readings")
            when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
            ws.write_row(0, 0, ["meter_id", "timestamp", "value", "unit", "note"])
            for i, (m, t, v, u, n) in enumerate([\(spec)], 1):
                ws.write_string(i, 0, m)
                ws.write_datetime(i, 1, datetime.datetime.fromisoformat(t), when)
                (ws.write_string if isinstance(v, str) else ws.write_number)(i, 2, v)
                ws.write_string(i, 3, u)
                if n: ws.write_string(i, 4, n)
            wb.close()
            """)
        return path
    }

    /// openpyxl's layout: inline strings; `before` sheets come first; C3 holds #N/A.
    func inlineStringsWorkbook(_ name: String, before: [String]) throws -> String {
        let path = dir.path + "/" + name
        try run(
            """
            import datetime, openpyxl
            wb = openpyxl.Workbook()
            wb.remove(wb.active)
            for name in [\(before.map(py).joined(separator: ","))]:
                wb.create_sheet(name).append(["this sheet is notes, not readings"])
            ws = wb.create_sheet("Readings")
            ws.append(["meter_id", "timestamp", "value", "unit", "note"])
            for m, t, v, u, n in [\(spec)]:
                ws.append([m, datetime.datetime.fromisoformat(t), v, u, n or None])
            ws["C3"] = "#N/A"
            wb.save(\(py(path)))
            """)
        return path
    }

    func run(_ script: String) throws {
        let (status, output) = try Self.python(["-c", script])
        #expect(status == 0, "python: \(output)")
    }

    func py(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    static func python(_ arguments: [String]) throws -> (Int32, String) {
        let r = try CheckpointTests.python(arguments)
        return (r.status, r.output)
    }

    func ingest(_ path: String, sheet: String? = nil) throws -> (String, ReportSummary, [FileProblem]) {
        var db = try TestCluster.context(try Fixtures.config())
        var ingestor = ReportIngestor(store: db.context.store, batchRows: 4, logger: TestCluster.logger)
        ingestor.sheet = sheet
        var problems: [FileProblem] = []
        let summary = try ingestor.ingest(
            path: path, zone: "Asia/Kolkata", validator: &db.context.validator, problem: { problems.append($0) })
        return (db.conninfo, summary, problems)
    }

    static let landed = """
        select meter_id, ts::text, value::text, unit, raw_value, raw_unit, status, reasons::text, extra::text
        from jcm.readings_view order by meter_id, ts
        """
    static let refused = "select meter_id, reason, detail from jcm.rejections order by meter_id, reason, detail"

    @Test func aWorkbookLandsExactlyLikeItsCSVTwin() throws {
        let book = try sharedStringsWorkbook("november.xlsx")
        let listing = try Self.python([
            "-c",
            "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); print(z.read('xl/worksheets/sheet1.xml').decode())",
            book,
        ]).1
        #expect(listing.contains(#"t="s""#), "shared strings")
        #expect(
            listing.contains(#" s="1""#) || listing.contains(#" s="2""#),
            "and styled date cells: \(listing.prefix(400))")
        let twin = dir.write("november.csv", csv())

        let (x, xs, xp) = try ingest(book)
        let (c, cs, cp) = try ingest(twin)
        #expect(xs.counts == cs.counts)
        #expect(xs.counts.accepted == 9)
        #expect(xs.counts.rejected == 1)
        #expect(try rows(x, Self.landed) == rows(c, Self.landed))
        #expect(try rows(x, Self.refused) == rows(c, Self.refused))
        #expect(try rows(x, Self.landed).count == 9)
        #expect(
            try scalar(x, "select ts::text from jcm.readings_view where raw_value = '2000.5'")
                == "2026-10-31 19:00:15+00")
        #expect(xp.map(\.reason) == cp.map(\.reason))
        #expect(xp.first?.line == 6, "the sheet's row 6 (header on row 1): \(xp)")
        #expect(try scalar(x, "select file_name from jcm.reports") == "november.xlsx")
        #expect(try scalar(x, "select location from jcm.rejections") == "november.xlsx:Readings!A6")
    }

    @Test func aNamedSheetAnErrorCellAndWhatIsNotRead() throws {
        let book = try inlineStringsWorkbook("named.xlsx", before: ["Notes"])
        let (x, summary, problems) = try ingest(book, sheet: "Readings")
        #expect(summary.counts.accepted == 8)
        #expect(problems.contains { $0.detail == "Readings!C3 holds the spreadsheet error #N/A" }, "\(problems)")
        #expect(try scalar(x, "select count(*) from jcm.readings") == "8")

        let (_, missing, _) = try ingest(book, sheet: "Daten")
        #expect(missing.fatal == #"no sheet named "Daten" (the workbook has "Notes", "Readings")"#)

        let (_, notes, _) = try ingest(book)
        #expect(notes.fatal?.contains("Notes!A1: header lacks columns") == true, "\(notes.fatal ?? "-")")

        let xls = dir.path + "/old.xls"
        FileManager.default.createFile(
            atPath: xls,
            contents: Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504)))
        let (_, old, _) = try ingest(xls)
        #expect(old.fatal?.contains("save it as Excel Workbook (.xlsx) or CSV UTF-8") == true)
        #expect(FileManager.default.fileExists(atPath: xls), "a report file is never deleted")

        let ods = dir.path + "/calc.ods"
        let made = try Self.python([
            "-c",
            """
            import zipfile, sys
            z = zipfile.ZipFile(sys.argv[1], 'w')
            z.writestr(zipfile.ZipInfo('mimetype'), 'application/vnd.oasis.opendocument.spreadsheet')
            z.writestr('content.xml', '<office:document-content/>')
            z.close()
            """,
            ods,
        ])
        #expect(made.0 == 0, "\(made.1)")
        let (_, calc, _) = try ingest(ods)
        #expect(calc.fatal?.contains("OpenDocument spreadsheet (.ods)") == true, "\(calc.fatal ?? "-")")
    }
}
