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
    public var description: String { "line \(line): \(message)" }
}

public enum ReportFormat: String, Sendable {
    case csv, json

    /// By extension, else by the first byte that is not white space: `{` is JSON.
    public static func detect(fileName: String, firstBytes: [UInt8]) -> ReportFormat {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".csv") { return .csv }
        let first = firstBytes.drop { $0 == 0xEF || $0 == 0xBB || $0 == 0xBF || $0 == 32 || ($0 >= 9 && $0 <= 13) }
            .first
        return first == UInt8(ascii: "{") ? .json : .csv
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
    }
}
