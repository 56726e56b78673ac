/// The canonical "long" CSV report: a header naming at least `meter_id,timestamp,value,unit`
/// (any order, case-insensitive); any other column is kept with the reading as `extra`.
public struct CSVReportDecoder<Source: ByteSource>: ReportDecoder {
    public static var requiredColumns: [String] { ReportColumns.required }

    private var reader: CSVReader<Source>
    private let fileName: String
    private var columns: (meter: Int, timestamp: Int, value: Int, unit: Int)?
    private var header: [String] = []
    private var extraColumns: [Int] = []

    private let dialect: CSVDialect

    public init(source: Source, fileName: String, dialect: CSVDialect = .standard) {
        self.reader = CSVReader(source: source)
        reader.delimiter = dialect.delimiterByte
        self.fileName = fileName
        self.dialect = dialect
    }

    public var bytesRead: Int { reader.bytesRead }

    public mutating func next() throws(ReportFailure) -> ReportItem? {
        if columns == nil { try readHeader() }
        guard let columns else { return nil }
        let more: Bool
        do { more = try reader.next() } catch { throw ReportFailure(line: error.line, message: error.message) }
        guard more else { return nil }
        let location = "\(fileName):\(reader.line)"
        guard reader.fieldCount == header.count else {
            let raw = RawReading(
                meterID: nil, timestamp: nil, value: nil, unit: nil, location: location, raw: reader.rawRecord)
            return .malformed(raw, detail: "\(reader.fieldCount) fields where the header has \(header.count)")
        }
        let encoding = dialect.encoding
        if encoding == .utf8, let bad = reader.firstInvalidUTF8 {
            let raw = RawReading(
                meterID: nil, timestamp: nil, value: nil, unit: nil, location: location, raw: reader.rawRecord)
            return .malformed(raw, detail: Self.notUTF8Message(byte: bad.byte, column: bad.offset + 1))
        }
        func field(_ i: Int) -> String { encoding == .utf8 ? reader.field(i) : reader.field(i, encoding) }
        var extra: String?
        if !extraColumns.isEmpty {
            extra = JSONText.object(extraColumns.map { (header[$0], field($0)) })
        }
        return .reading(
            RawReading(
                meterID: field(columns.meter), timestamp: dialect.timestamp(field(columns.timestamp)),
                value: dialect.value(field(columns.value)), unit: field(columns.unit),
                extra: extra, location: location, raw: encoding == .utf8 ? reader.rawRecord : reader.rawRecord(encoding)
            ))
    }

    private mutating func readHeader() throws(ReportFailure) {
        let more: Bool
        do { more = try reader.next() } catch { throw ReportFailure(line: error.line, message: error.message) }
        guard more else { throw ReportFailure(line: 1, message: "empty file: no header line") }
        let names =
            dialect.encoding == .utf8
            ? reader.fields : (0..<reader.fieldCount).map { reader.field($0, dialect.encoding) }
        do {
            let found = try ReportColumns(names: names)
            header = found.header
            columns = (found.meter, found.timestamp, found.value, found.unit)
            extraColumns = found.extra
        } catch {
            if case .missing = error,
                let separator = Self.otherSeparator(
                    in: names.map { $0.trimmingSpaces.lowercased() }, than: dialect.delimiter)
            {
                throw ReportFailure(
                    line: reader.line, message: Self.separatorMessage(separator, folder: dialect.delimiter))
            }
            throw ReportFailure(line: reader.line, message: error.message)
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}

/// Tiny JSON writer for the `extra` objects; JSONValue.compactText covers parsed values.
enum JSONText {
    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { string($0.0) + ":" + string($0.1) }.joined(separator: ",") + "}"
    }
}
