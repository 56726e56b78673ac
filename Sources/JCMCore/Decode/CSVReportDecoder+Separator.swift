extension CSVReportDecoder {
    /// A header that names the required columns once split on another separator than the comma
    /// (a spreadsheet in a locale that writes `;`, or a tab-separated export): said plainly, since
    /// "header lacks meter_id, timestamp, …" about a header showing those very names misleads.
    static func otherSeparator(in header: [String]) -> Character? {
        let line = header.joined(separator: ",")
        for separator: Character in [";", "\t", "|"] where line.contains(separator) {
            let names = Set(line.split(separator: separator).map { String($0).trimmingSpaces.lowercased() })
            if requiredColumns.allSatisfy(names.contains) { return separator }
        }
        return nil
    }

    static func separatorMessage(_ separator: Character) -> String {
        let shown = separator == "\t" ? "a tab" : "`\(separator)`"
        return "this file uses \(shown) as its separator; jcm-ingestd reads comma-separated files: export with `,` as the separator "
            + "(and `.` as the decimal mark)"
    }
}
