/// Typed reads so config code can say `node.value.stringValue` and report a type
/// mismatch with `typeName` instead of switching on every case.
extension TOMLValue {
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var integerValue: Int64? {
        if case .integer(let i) = self { return i }
        return nil
    }

    /// Integers are accepted too: operators write `factor = 1` and mean `1.0`.
    public var doubleValue: Double? {
        switch self {
        case .float(let d): return d
        case .integer(let i): return Double(i)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var datetimeText: String? {
        if case .datetime(let s) = self { return s }
        return nil
    }

    public var arrayValue: [TOMLNode]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var tableValue: TOMLTable? {
        if case .table(let t) = self { return t }
        return nil
    }

    /// The TOML name of the kind, for messages like "expected string, found integer".
    public var typeName: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .bool: return "boolean"
        case .datetime: return "date-time"
        case .array: return "array"
        case .table: return "table"
        }
    }
}
