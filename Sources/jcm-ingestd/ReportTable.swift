import JCMCore

/// One section of a period's report as a table: the unit each printer writes (a block of text
/// lines, a JSON array of objects, one CSV file).
struct ReportTable {
    var name: String
    var columns: [String]
    var rows: [[FieldValue]]

    init(_ name: String, columns: [String], rows: [[FieldValue]]) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }

    /// A table from rows of fields that all share the first row's names.
    init(_ name: String, fields: [Fields], columns: [String]) {
        self.init(name, columns: fields.first.map { $0.map(\.name) } ?? columns, rows: fields.map { $0.map(\.value) })
    }

    var objects: [Fields] { rows.map { Array(zip(columns, $0)).map { (name: $0.0, value: $0.1) } } }
}

/// How each column of the dataset and of the recorded corrections, which come from PostgreSQL
/// as text, is typed: exact decimals stay strings in JSON, counts and ids are numbers.
enum ColumnType {
    static let integers: Set = ["id", "batch", "seq", "corrected_by", "resolved_by", "plan_version"]
    static let decimals: Set = ["delta", "share", "value", "old_final", "new_start"]
    static let booleans: Set = ["lapsed"]

    enum Kind { case integer, decimal, boolean, text }

    /// Looked up once per column rather than once per cell (three hashes of its name for each of
    /// a dataset's millions of cells).
    static func kind(_ column: String) -> Kind {
        integers.contains(column)
            ? .integer : decimals.contains(column) ? .decimal : booleans.contains(column) ? .boolean : .text
    }

    static func value(_ column: String, _ text: String?) -> FieldValue { value(kind(column), text) }

    static func value(_ kind: Kind, _ text: String?) -> FieldValue {
        guard let text else { return .null }
        if kind == .integer, let i = Int(text) { return .integer(i) }
        if kind == .decimal, let d = ExactDecimal(parsing: text) { return .decimal(d) }
        if kind == .boolean { return .boolean(text == "t") }
        return .text(text)
    }
}
