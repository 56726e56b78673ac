/// Text bound for a spreadsheet, made inert: a cell that starts with `=`, `+`, `-`, `@`, a tab or
/// a carriage return would be read as a formula by Excel, LibreOffice and Google Sheets (a
/// meter id `=HYPERLINK(...)` becomes a link). OWASP's rule: prefix such a cell with a single
/// quote, which the programs show as text. Only text cells go through this: a negative number
/// is a number, not an attack.
public enum SpreadsheetText {
    public static func neutralised(_ s: String) -> String {
        guard let first = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return s }
        return "'" + s
    }

    /// One RFC 4180 CSV field: neutralised, and quoted when it holds a comma, quote or line break.
    public static func csvField(_ v: FieldValue) -> String {
        let s: String
        switch v {
        case .text(let t): s = neutralised(t)
        default: s = v.description
        }
        return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
