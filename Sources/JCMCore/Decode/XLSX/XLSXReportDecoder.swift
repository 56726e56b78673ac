/// A report saved as an Excel workbook: one sheet read with the CSV report's header rules
/// (`ReportColumns`), row by row, so a million rows stay in bounded memory.
///
/// What differs from CSV is only how a cell becomes text: numbers exactly as stored, date cells
/// as local times (the folder's or meter's zone applies), strings as written. Text cells get the
/// folder's CSV dialect (a decimal comma folder reads "1,5" as 1.5; elsewhere it is refused, as in
/// a CSV). Problems name the cell: `Readings!C12`.
public struct XLSXReportDecoder<Source: ByteSource>: ReportDecoder {
    private var sheet: XLSXSheetReader<Source>
    private let fileName: String
    private let sheetName: String
    private let dialect: CSVDialect
    private var columns: ReportColumns?

    public init(
        sheet source: Source, sheetName: String, sharedStrings: [String], dateStyles: Set<Int>, date1904: Bool,
        fileName: String, dialect: CSVDialect = .standard
    ) {
        self.sheet = XLSXSheetReader(
            source: source, sharedStrings: sharedStrings, dateStyles: dateStyles, date1904: date1904)
        self.sheetName = sheetName
        self.fileName = fileName
        self.dialect = dialect
    }

    public var bytesRead: Int { sheet.bytesRead }

    public mutating func next() throws(ReportFailure) -> ReportItem? {
        while let row = try nextRow() {
            guard row.cells.contains(where: { !$0.text.isEmpty }) else { continue }
            guard let columns else {
                try readHeader(row)
                continue
            }
            return item(row, columns)
        }
        if columns == nil { throw ReportFailure(line: 1, message: "sheet \(sheetName) is empty: no header row") }
        return nil
    }

    private mutating func nextRow() throws(ReportFailure) -> XLSXSheetReader<Source>.Row? {
        do {
            return try sheet.next()
        } catch {
            throw ReportFailure(
                line: 0, message: error.cell.map { "\(sheetName)!\($0): \(error.message)" } ?? error.message)
        }
    }

    private mutating func readHeader(_ row: XLSXSheetReader<Source>.Row) throws(ReportFailure) {
        var names = [String](repeating: "", count: (row.cells.last?.column ?? -1) + 1)
        for cell in row.cells { names[cell.column] = cell.text }
        do {
            columns = try ReportColumns(names: names)
        } catch {
            throw ReportFailure(line: row.number, message: "\(sheetName)!A\(row.number): " + error.message)
        }
    }

    private func reference(_ column: Int, _ row: Int) -> String {
        "\(sheetName)!\(CellReference(column: column, row: row))"
    }

    private func item(_ row: XLSXSheetReader<Source>.Row, _ columns: ReportColumns) -> ReportItem {
        let location = "\(fileName):\(reference(0, row.number))"
        let raw = JSONText.object(
            row.cells.map { (CellReference(column: $0.column, row: row.number).description, $0.text) })
        var fields = [String](repeating: "", count: columns.header.count)
        var kinds = [XLSXSheetReader<Source>.Kind?](repeating: nil, count: columns.header.count)
        for cell in row.cells {
            guard cell.column < fields.count else {
                guard !cell.text.isEmpty else { continue }
                return .malformed(
                    RawReading(meterID: nil, timestamp: nil, value: nil, unit: nil, location: location, raw: raw),
                    detail: "\(reference(cell.column, row.number)) lies beyond the header's \(fields.count) columns")
            }
            if cell.kind == .error {
                return .malformed(
                    RawReading(meterID: nil, timestamp: nil, value: nil, unit: nil, location: location, raw: raw),
                    detail: "\(reference(cell.column, row.number)) holds the spreadsheet error \(cell.text)")
            }
            fields[cell.column] = cell.text
            kinds[cell.column] = cell.kind
        }
        let timestamp =
            kinds[columns.timestamp] == .string
            ? dialect.timestamp(fields[columns.timestamp]) : fields[columns.timestamp]
        let value = kinds[columns.value] == .string ? dialect.value(fields[columns.value]) : fields[columns.value]
        let extra =
            columns.extra.isEmpty ? nil : JSONText.object(columns.extra.map { (columns.header[$0], fields[$0]) })
        return .reading(
            RawReading(
                meterID: fields[columns.meter], timestamp: timestamp, value: value, unit: fields[columns.unit],
                extra: extra, location: location, raw: raw))
    }
}

/// A report that cannot be read at all, refused with what to do instead (an .xls, an .ods).
public struct RefusedReportDecoder: ReportDecoder {
    let failure: ReportFailure
    public init(_ failure: ReportFailure) { self.failure = failure }
    public var bytesRead: Int { 0 }
    public mutating func next() throws(ReportFailure) -> ReportItem? { throw failure }
}
