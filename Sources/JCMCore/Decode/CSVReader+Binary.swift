extension CSVReader {
    /// What a file with a NUL byte is, in the words an operator acts on: an .xlsx (a zip
    /// archive, "PK\\3\\4") is the usual one, exported from a spreadsheet and dropped as is.
    static func binaryMessage(startsWithZip: Bool) -> String {
        startsWithZip
            ? "an Excel file (.xlsx); export as CSV"
            : "binary content (NUL byte); not a CSV file"
    }
}
