/// A parse failure. Line and column are 1-based; the column counts Unicode scalars,
/// so it matches what an editor shows for non-ASCII lines.
public struct TOMLError: Error, Equatable, CustomStringConvertible, Sendable {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A TOML value. Date-times stay as source text because the daemon validates and
/// interprets them itself (zone rules differ per field), and TOML's four date-time
/// flavours would otherwise need four cases nobody reads.
public indirect enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    case datetime(String)
    case array([TOMLNode])
    case table(TOMLTable)
}

/// A value plus where it stands, so `check-config` can point at the offending line.
public struct TOMLNode: Equatable, Sendable {
    public var value: TOMLValue
    /// Line of the key, of the array element, or of the `[[header]]` for array-of-tables entries.
    public var line: Int

    public init(value: TOMLValue, line: Int) {
        self.value = value
        self.line = line
    }
}

/// A table that keeps its keys in source order, so reports list problems in the order
/// the operator wrote them.
public struct TOMLTable: Equatable, Sendable {
    /// Line of `[a]` / `[[a]]`, 1 for the root, the key's line for inline and dotted tables.
    public var line: Int
    public private(set) var keys: [String]
    private var entries: [String: TOMLNode]

    public init(line: Int = 1) {
        self.line = line
        self.keys = []
        self.entries = [:]
    }

    public subscript(key: String) -> TOMLNode? { entries[key] }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// Entries in source order.
    public var nodes: [(key: String, node: TOMLNode)] {
        keys.map { ($0, entries[$0]!) }
    }

    /// Follows nested tables (not arrays); `nil` as soon as a step is missing or not a table.
    public func node(at path: [String]) -> TOMLNode? {
        guard let first = path.first, let node = entries[first] else { return nil }
        if path.count == 1 { return node }
        guard case .table(let sub) = node.value else { return nil }
        return sub.node(at: Array(path.dropFirst()))
    }

    /// Replaces in place when the key exists so source order is kept.
    mutating func set(_ node: TOMLNode, forKey key: String) {
        if entries.updateValue(node, forKey: key) == nil { keys.append(key) }
    }
}

public enum TOML {
    public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        var parser = TOMLParser(text)
        return try parser.parseDocument()
    }
}
