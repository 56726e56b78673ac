/// What a report file yields, record by record.
public enum ReportItem: Sendable, Equatable {
    case reading(RawReading)
    /// A record that could not even be read as a reading (wrong number of CSV fields, a JSON
    /// element that is not an object); kept as a rejection with its raw text.
    case malformed(RawReading, detail: String)
}

/// A problem that makes the rest of a file unreadable (no header, binary data, broken syntax).
public struct ReportFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
    /// Line 0: the file as a whole (a workbook without the sheet asked for).
    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

public enum ReportFormat: String, Sendable {
    case csv, json, xlsx

    /// By content first (a zip archive is a workbook, whatever its name), then by extension,
    /// else by the first byte that is not white space: `{` is JSON.
    public static func detect(fileName: String, firstBytes: [UInt8]) -> ReportFormat {
        if firstBytes.starts(with: zipMagic) { return .xlsx }
        let lower = fileName.lowercased()
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".csv") { return .csv }
        let first = firstBytes.drop { $0 == 0xEF || $0 == 0xBB || $0 == 0xBF || $0 == 32 || ($0 >= 9 && $0 <= 13) }
            .first
        return first == UInt8(ascii: "{") ? .json : .csv
    }

    static let zipMagic: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
    static let oleMagic: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]

    /// Spreadsheet files this reader does not take, with what to save them as instead. An .ods
    /// is a zip whose first entry, stored as is, is its media type.
    public static func refusal(fileName: String, firstBytes: [UInt8]) -> String? {
        let lower = fileName.lowercased()
        if firstBytes.starts(with: oleMagic) || lower.hasSuffix(".xls") {
            return "an Excel 97-2003 workbook (.xls) is not read: save it as Excel Workbook (.xlsx) or CSV UTF-8"
        }
        let opendocument = Array("application/vnd.oasis.opendocument".utf8)
        let isODF = firstBytes.count > 38 + opendocument.count && firstBytes[38...].starts(with: opendocument)
        if lower.hasSuffix(".ods") || (firstBytes.starts(with: zipMagic) && isODF) {
            return "an OpenDocument spreadsheet (.ods) is not read: save it as Excel Workbook (.xlsx) or CSV UTF-8"
        }
        return nil
    }
}

public protocol ReportDecoder {
    /// Next record, nil at the end.
    mutating func next() throws(ReportFailure) -> ReportItem?
    /// Bytes of the file consumed so far, for progress bars.
    var bytesRead: Int { get }
}

/// Builds the decoder for a format over a source.
public func makeReportDecoder<S: ByteSource>(
    _ format: ReportFormat, source: S, fileName: String, csv: CSVDialect = .standard
) -> any ReportDecoder {
    switch format {
    case .csv: return CSVReportDecoder(source: source, fileName: fileName, dialect: csv)
    case .json: return JSONReportDecoder(source: source, fileName: fileName)
    case .xlsx:
        // A workbook is a zip archive: its parts are opened by the caller (XLSXWorkbookFile).
        return RefusedReportDecoder(ReportFailure(line: 0, message: "a workbook needs its archive opened"))
    }
}
