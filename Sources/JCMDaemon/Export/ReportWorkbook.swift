import Foundation
import JCMCore
import JCMPostgres

/// Writes the Monitoring Report Sheet workbook: the small sheets built whole in JCMCore, and the
/// Dataset streamed row by row into temporary files beside the output, each deflated into the
/// zip in chunks, so memory does not grow with the number of readings.
///
/// Excel shows at most 1,048,576 rows a sheet, so a longer Dataset goes on as "Dataset (2)",
/// "Dataset (3)" and so on, each an Excel table of its own. The zip is written on a thread of its
/// own (`BackgroundArchive`): one part is deflated while the next is generated.
public struct ReportWorkbook<Row: DatasetRow> {
    public var sheets: MonitoringReportSheets
    public var datasetColumns: [String]
    /// How each column's text becomes a cell (times, numbers).
    public var kinds: [XLSXRowWriter.Kind]
    /// Streams the dataset's rows.
    public var dataset: ((Row) throws -> Void) throws -> Void

    public static var datasetSheet: String { "Dataset" }
    /// Data rows a Dataset sheet holds under its header (Excel's 1,048,576 rows less one).
    public var rowsPerSheet = 1_048_575

    public init(
        sheets: MonitoringReportSheets, datasetColumns: [String], kinds: [XLSXRowWriter.Kind],
        dataset: @escaping ((Row) throws -> Void) throws -> Void
    ) {
        self.sheets = sheets
        self.datasetColumns = datasetColumns
        self.kinds = kinds
        self.dataset = dataset
    }

    public func write(to path: String) throws {
        let part = path + ".part"
        try? FileManager.default.removeItem(atPath: part)
        defer { try? FileManager.default.removeItem(atPath: part) }
        let archive = BackgroundArchive(path: part)
        let (datasetSheets, strings): ([XLSXPackage.Sheet], XLSXSharedStrings)
        do {
            (datasetSheets, strings) = try writeDataset(scratch: path + ".dataset", into: archive)
        } catch {
            archive.abandon()
            throw error
        }
        let small = sheets.sheets()
        var ordered = small.enumerated().map { i, s in
            XLSXPackage.Sheet(name: s.name, path: "xl/worksheets/sheet\(i + 1).xml")
        }
        ordered.insert(contentsOf: datasetSheets, at: 3)
        for (name, xml) in XLSXPackage.parts(ordered, sharedStrings: strings.xml) { archive.add(xml, as: name) }
        for (i, s) in small.enumerated() { archive.add(s.xml, as: "xl/worksheets/sheet\(i + 1).xml") }
        try archive.finish()
        _ = try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: part, toPath: path)
    }

    /// The Dataset sheets' XML, each into a scratch file handed to `archive`; returns the sheets
    /// and the shared strings their cells refer to.
    private func writeDataset(
        scratch: String, into archive: BackgroundArchive
    ) throws -> ([XLSXPackage.Sheet], XLSXSharedStrings) {
        let widths = datasetColumns.enumerated().map { i, c -> Double in
            c.hasSuffix("sha256") || c == "chain_hash" ? 66 : i < kinds.count && kinds[i] == .time ? 20 : 14
        }
        var writer = XLSXRowWriter(kinds: kinds)
        var done: [XLSXPackage.Sheet] = []
        var file: FileHandle?
        var rowsBefore = 0
        func scratchPath(_ n: Int) -> String { "\(scratch)\(n).part" }
        func flush() throws {
            try file?.write(contentsOf: writer.bytes)
            writer.bytes.removeAll(keepingCapacity: true)
        }
        func open() throws {
            let n = done.count + 1
            guard FileManager.default.createFile(atPath: scratchPath(n), contents: nil) else {
                throw WorkbookFailure(description: "cannot write \(scratchPath(n))")
            }
            file = try FileHandle(forWritingTo: URL(fileURLWithPath: scratchPath(n)))
            writer.bytes += XLSXPackage.sheetHead(widths: widths, frozenRows: 1).utf8
            writer.bytes += XLSXCell.row(1, datasetColumns.map { .header($0) }).utf8
            rowsBefore = writer.rows
        }
        func close() throws {
            writer.bytes += XLSXPackage.sheetTail(table: true).utf8
            try flush()
            try file?.close()
            file = nil
            let n = done.count + 1
            let name = n == 1 ? Self.datasetSheet : "\(Self.datasetSheet) (\(n))"
            let sheet = XLSXPackage.Sheet(
                name: name, path: "xl/worksheets/dataset\(n).xml",
                table: XLSXPackage.Table(
                    name: n == 1 ? Self.datasetSheet : "\(Self.datasetSheet)\(n)", columns: datasetColumns,
                    rows: writer.rows - rowsBefore))
            archive.add(file: scratchPath(n), as: sheet.path)
            done.append(sheet)
        }
        defer {
            // Not handed over: the dataset stopped with an error.
            if file != nil { try? FileManager.default.removeItem(atPath: scratchPath(done.count + 1)) }
        }
        try open()
        try dataset { row in
            if writer.rows - rowsBefore == rowsPerSheet {
                try close()
                try open()
            }
            row.append(to: &writer)
            if writer.bytes.count >= 1 << 20 { try flush() }
        }
        try close()
        return (done, writer.strings)
    }
}

/// A Dataset row as the workbook takes it: typed values, or a COPY row written without a String
/// per field.
public protocol DatasetRow {
    func append(to writer: inout XLSXRowWriter)
}

extension Array: DatasetRow where Element == FieldValue {
    public func append(to writer: inout XLSXRowWriter) { writer.append(self) }
}

extension CopyRow: DatasetRow {
    public func append(to writer: inout XLSXRowWriter) { withFields { writer.append(utf8: $0, fields: $1) } }
}

/// What stopped a workbook, with the file it concerns.
public struct WorkbookFailure: Error, CustomStringConvertible {
    public var description: String
}
