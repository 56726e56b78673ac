extension CSVReportDecoder {
    /// A header that names the required columns once split on another separator than the comma
    /// (a spreadsheet in a locale that writes `;`, or a tab-separated export): said plainly, since
    /// "header lacks meter_id, timestamp, …" about a header showing those very names misleads.
    static func otherSeparator(in header: [String], than delimiter: Character = ",") -> Character? {
        let line = header.joined(separator: String(delimiter))
        for separator in CSVDialect.delimiters where separator != delimiter && line.contains(separator) {
            let names = Set(line.split(separator: separator).map { String($0).trimmingSpaces.lowercased() })
            if requiredColumns.allSatisfy(names.contains) { return separator }
        }
        return nil
    }

    /// A record that is not UTF-8: most often a spreadsheet's "CSV" saved in Windows-1252 (José
    /// as 4A 6F 73 E9), which would otherwise be stored with U+FFFD and no word said.
    static func notUTF8Message(byte: UInt8, column: Int) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return
            "not UTF-8 (byte 0x\(hex.count == 1 ? "0" + hex : hex) at column \(column)); the file looks like Windows-1252 or Latin-1: "
            + "export it as \"CSV UTF-8\", or set encoding = \"windows-1252\" on its [[watch]] folder"
    }

    static func separatorMessage(_ separator: Character, folder: Character = ",") -> String {
        let shown = separator == "\t" ? "a tab" : "`\(separator)`"
        if folder != "," {
            return
                "this file uses \(shown) as its separator, but its [[watch]] folder sets delimiter = \"\(folder == "\t" ? "\\t" : String(folder))\": "
                + "export it with that separator, or drop it in a folder without the setting"
        }
        return "this file uses \(shown) as its separator; export it with `,` (and `.` as the decimal mark), "
            + "or set delimiter = \"\(separator == "\t" ? "\\t" : String(separator))\" on its [[watch]] folder"
    }
}
