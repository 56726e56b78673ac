/// How a folder's CSV files are written, when not as jcm-ingestd writes them: the separator
/// between fields (`;` from a spreadsheet in a locale with a decimal comma, a tab) and the
/// decimal mark of values. `[[watch]] delimiter` and `decimal_separator` set it.
public struct CSVDialect: Sendable, Equatable {
    public var delimiter: Character = ","
    public var decimalComma = false

    public static let standard = CSVDialect()
    public static let delimiters: [Character] = [",", ";", "\t", "|"]

    public init(delimiter: Character = ",", decimalComma: Bool = false) {
        self.delimiter = delimiter
        self.decimalComma = decimalComma
    }

    var delimiterByte: UInt8 { delimiter.asciiValue ?? UInt8(ascii: ",") }

    /// A value as the validator reads it: `1,5` is `1.5` in a decimal-comma file.
    func value(_ text: String) -> String { decimalComma ? text.replacingOccurrences(of: ",", with: ".") : text }
}
