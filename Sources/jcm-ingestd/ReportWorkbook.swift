import Foundation
import JCMCore
import ZIPFoundation

/// Writes the Monitoring Report Sheet workbook: the small sheets built whole in JCMCore, and the
/// Dataset streamed row by row into a temporary file beside the output, then deflated into the
/// zip in chunks, so memory does not grow with the number of readings.
struct ReportWorkbook {
    var sheets: MonitoringReportSheets
    var datasetColumns: [String]
    /// Streams the dataset's rows, typed per column.
    var dataset: (([FieldValue]) throws -> Void) throws -> Void

    static let datasetSheet = "Dataset"

    func write(to path: String) throws {
        let part = path + ".part"
        let scratch = path + ".dataset.part"
        defer {
            try? FileManager.default.removeItem(atPath: scratch)
            try? FileManager.default.removeItem(atPath: part)
        }
        let rows = try writeDataset(to: scratch)
        try? FileManager.default.removeItem(atPath: part)
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: part), accessMode: .create)
        } catch {
            throw ValidationErrorMessage("cannot write \(part): \(error)")
        }
        var built = sheets.sheets()
        let datasetIndex = 3
        built.insert((Self.datasetSheet, ""), at: datasetIndex)
        let table = XLSXPackage.Table(name: "Dataset", columns: datasetColumns, rows: rows)
        let parts = XLSXPackage.parts(
            built.map { XLSXPackage.Sheet(name: $0.name, hasTable: $0.name == Self.datasetSheet) },
            tables: [datasetIndex: table])
        for (name, xml) in parts { try add(archive, name, xml) }
        for (i, s) in built.enumerated() where i != datasetIndex { try add(archive, XLSXPackage.path(sheet: i), s.xml) }
        try archive.addEntry(
            with: XLSXPackage.path(sheet: datasetIndex), fileURL: URL(fileURLWithPath: scratch),
            compressionMethod: .deflate, bufferSize: 1 << 20)
        _ = try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: part, toPath: path)
    }

    private func add(_ archive: Archive, _ name: String, _ xml: String) throws {
        let data = Data(xml.utf8)
        try archive.addEntry(
            with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
        ) { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }
    }

    /// The Dataset sheet's XML into `scratch`, flushed every megabyte; returns the row count.
    private func writeDataset(to scratch: String) throws -> Int {
        guard FileManager.default.createFile(atPath: scratch, contents: nil) else {
            throw ValidationErrorMessage("cannot write \(scratch)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch))
        defer { try? handle.close() }
        let times: Set = ["ts_from", "ts_to"]
        let isTime = datasetColumns.map { times.contains($0) }
        let widths = datasetColumns.map { c -> Double in
            c.hasSuffix("sha256") || c == "chain_hash" ? 66 : isTime[datasetColumns.firstIndex(of: c)!] ? 20 : 14
        }
        var buffer = XLSXPackage.sheetHead(widths: widths, frozenRows: 1)
        buffer += XLSXCell.row(1, datasetColumns.map { .header($0) })
        var rows = 0
        var cells: [XLSXCell] = []
        try dataset { row in
            cells.removeAll(keepingCapacity: true)
            for (i, v) in row.enumerated() {
                switch v {
                case .text(let s):
                    if isTime[i], let t = XLSXCell.utcInstant(s) {
                        cells.append(.time(t))
                    } else {
                        cells.append(.text(s))
                    }
                case .decimal(let d): cells.append(.number(d))
                case .integer(let n): cells.append(.integer(n))
                case .boolean(let b): cells.append(.boolean(b))
                case .time(let t): cells.append(.time(t))
                case .null: cells.append(.empty)
                }
            }
            buffer += XLSXCell.row(cells)
            rows += 1
            if buffer.utf8.count >= 1 << 20 {
                try handle.write(contentsOf: Data(buffer.utf8))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        buffer += XLSXPackage.sheetTail(table: true)
        try handle.write(contentsOf: Data(buffer.utf8))
        return rows
    }
}
