/// One value of a report's table, typed so each export writes it as what it is: JSON gets
/// exact decimals as strings (a double would round them), integers and booleans as JSON numbers
/// and booleans, one timestamp format (RFC 3339, UTC); CSV neutralises only text cells against
/// formula injection, never a negative number.
public enum FieldValue: Sendable, Equatable, CustomStringConvertible {
    case text(String)
    case decimal(ExactDecimal)
    case integer(Int)
    case boolean(Bool)
    case time(Timestamp)
    case null

    public var description: String {
        switch self {
        case .text(let s): s
        case .decimal(let d): d.description
        case .integer(let i): String(i)
        case .boolean(let b): String(b)
        case .time(let t): t.description
        case .null: ""
        }
    }

    public static func text(_ s: String?) -> FieldValue { s.map { .text($0) } ?? .null }
    public static func decimal(_ d: ExactDecimal?) -> FieldValue { d.map { .decimal($0) } ?? .null }
}

/// A row of named values in a fixed order with stable snake_case names, shared by the text,
/// JSON, CSV and spreadsheet printers.
public typealias Fields = [(name: String, value: FieldValue)]
