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

    static func value(_ column: String, _ text: String?) -> FieldValue {
        guard let text else { return .null }
        if integers.contains(column), let i = Int(text) { return .integer(i) }
        if decimals.contains(column), let d = ExactDecimal(parsing: text) { return .decimal(d) }
        if booleans.contains(column) { return .boolean(text == "t") }
        return .text(text)
    }
}
