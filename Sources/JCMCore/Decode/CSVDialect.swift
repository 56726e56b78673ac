/// How a folder's CSV files are written, when not as jcm-ingestd writes them: the separator
/// between fields (`;` from a spreadsheet in a locale with a decimal comma, a tab) and the
/// decimal mark of values. `[[watch]] delimiter` and `decimal_separator` set it.
public struct CSVDialect: Sendable, Equatable {
    public var delimiter: Character = ","
    public var decimalComma = false
    /// `timestamp_format`: how the folder's day-first or month-first dates are to be read.
    public var dateOrder: LocalDateOrder?
    /// `encoding`: the files' character encoding.
    public var encoding = TextEncoding.utf8

    public static let standard = CSVDialect()
    public static let delimiters: [Character] = [",", ";", "\t", "|"]

    public init(
        delimiter: Character = ",", decimalComma: Bool = false, dateOrder: LocalDateOrder? = nil,
        encoding: TextEncoding = .utf8
    ) {
        self.delimiter = delimiter
        self.decimalComma = decimalComma
        self.dateOrder = dateOrder
        self.encoding = encoding
    }

    var delimiterByte: UInt8 { delimiter.asciiValue ?? UInt8(ascii: ",") }

    /// A value as the validator reads it: `1,5` is `1.5` in a decimal-comma file.
    func value(_ text: String) -> String { decimalComma ? text.replacingOccurrences(of: ",", with: ".") : text }

    /// A timestamp as the validator reads it: `01/10/2026 10:00` is `2026-10-01T10:00:00` in a
    /// day-first folder.
    func timestamp(_ text: String) -> String { dateOrder.flatMap { $0.iso(text) } ?? text }
}
