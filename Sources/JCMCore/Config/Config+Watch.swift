extension Config {
    /// `[[watch]] delimiter` (one of "," ";" "\t" "|", default ",") and `decimal_separator`
    /// ("." or ",", default "."): for spreadsheets exported where a comma is the decimal mark.
    static func readCSVDialect(_ r: inout TableReader) -> CSVDialect {
        var dialect = CSVDialect.standard
        if let d = r.string("delimiter") {
            if d.count == 1, let c = d.first, CSVDialect.delimiters.contains(c) {
                dialect.delimiter = c
            } else {
                r.problem("delimiter", "\"\(d)\" is not one of \",\" \";\" \"\\t\" \"|\"")
            }
        }
        if let s = r.string("decimal_separator") {
            switch s {
            case ".": break
            case ",":
                dialect.decimalComma = true
                if dialect.delimiter == "," {
                    r.problem("decimal_separator", "a decimal comma needs another delimiter (delimiter = \";\")")
                }
            default: r.problem("decimal_separator", "\"\(s)\" is not \".\" or \",\"")
            }
        }
        if let e = r.string("encoding") {
            if let encoding = TextEncoding(rawValue: e.lowercased()) {
                dialect.encoding = encoding
            } else {
                r.problem(
                    "encoding",
                    "\"\(e)\" is not one of \(TextEncoding.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))"
                )
            }
        }
        if let f = r.string("timestamp_format") {
            if let order = LocalDateOrder(rawValue: f) {
                dialect.dateOrder = order
            } else {
                r.problem(
                    "timestamp_format",
                    "\"\(f)\" is not one of \(LocalDateOrder.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))"
                )
            }
        }
        return dialect
    }
}
