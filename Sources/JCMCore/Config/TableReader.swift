/// Reads typed keys out of one TOML table, collecting problems instead of stopping at the first,
/// and reporting keys nobody asked for (a misspelt key must not be silently ignored).
public struct TableReader {
    let table: TOMLTable
    let path: String
    private(set) var used: Set<String> = []
    var problems: [ConfigProblem] = []

    init(_ table: TOMLTable, path: String) {
        self.table = table
        self.path = path
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func line(_ key: String) -> Int { table[key]?.line ?? table.line }

    mutating func problem(_ key: String, _ message: String) {
        problems.append(ConfigProblem(key: keyPath(key), line: line(key), message: message))
    }

    mutating func node(_ key: String) -> TOMLNode? {
        used.insert(key)
        return table[key]
    }

    mutating func string(_ key: String) -> String? {
        guard let node = node(key) else { return nil }
        guard case .string(let s) = node.value else {
            problem(key, "must be a string")
            return nil
        }
        // Storage of its own, not the tree's: the configuration outlives its TOML tree, and a
        // string left in the tree's memory would keep that memory's pages from being freed.
        var text = s
        return text.withUTF8 { String(decoding: $0, as: UTF8.self) }
    }

    mutating func requiredString(_ key: String) -> String? {
        guard table[key] != nil else {
            problem(key, "is required")
            used.insert(key)
            return nil
        }
        return string(key)
    }

    mutating func integer(_ key: String, range: ClosedRange<Int64>) -> Int64? {
        guard let node = node(key) else { return nil }
        guard case .integer(let v) = node.value else {
            problem(key, "must be an integer")
            return nil
        }
        guard range.contains(v) else {
            problem(key, "must be between \(range.lowerBound) and \(range.upperBound), not \(v)")
            return nil
        }
        return v
    }

    /// A duration such as "60s"; milliseconds.
    mutating func duration(_ key: String, range: ClosedRange<Int64>) -> Int64? {
        guard let text = string(key) else { return nil }
        guard let ms = DurationParser.milliseconds(text) else {
            problem(key, "\"\(text)\" is not a duration (use ms, s, m, h, d: \"500ms\", \"60s\", \"1h30m\")")
            return nil
        }
        guard range.contains(ms) else {
            problem(key, "\"\(text)\" must be between \(range.lowerBound) ms and \(range.upperBound) ms")
            return nil
        }
        return ms
    }

    mutating func table(_ key: String) -> TOMLTable? {
        guard let node = node(key) else { return nil }
        guard case .table(let t) = node.value else {
            problem(key, "must be a table")
            return nil
        }
        return t
    }

    /// Appends a problem for every key in the table that was never read.
    mutating func finish() -> [ConfigProblem] {
        // `used` holds every key this table's reader asked for: the keys it knows.
        for key in table.keys where !used.contains(key) {
            problem(
                key, "unknown key" + (KeySuggestion.closest(to: key, in: used).map { "; did you mean \($0)?" } ?? ""))
        }
        return problems
    }
}
