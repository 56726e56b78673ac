/// What `verify` found, as values: a wrong pinned key or a large tampering makes millions of
/// findings of one kind, which a verifier reads as one line per kind and chain (`--all` prints
/// every one).
public struct LedgerFinding: Sendable {
    public enum Place: Sendable, Equatable {
        case link(Int64)
        case batch(Int64)
    }

    /// A short name of the kind of problem ("record changed", "signature not valid").
    public var kind: String
    /// The chain (project) it is on, nil when not known (a record in no link).
    public var chain: String?
    public var place: Place?
    public var line: String

    public init(kind: String, chain: String?, place: Place?, line: String) {
        self.kind = kind
        self.chain = chain
        self.place = place
        self.line = line
    }
}

/// Findings grouped by chain and kind, counted, with the first and last place and the first line.
public struct LedgerFindingGroups: Sendable {
    private struct Group: Sendable {
        var count = 0
        var first: LedgerFinding.Place?
        var last: LedgerFinding.Place?
        var example: String
    }
    private var groups: [String: [String: Group]] = [:]
    private var order: [(String, String)] = []

    public init() {}

    public mutating func add(_ f: LedgerFinding) {
        let chain = f.chain.map { $0.isEmpty ? "(no project)" : $0 } ?? "(no chain)"
        if groups[chain]?[f.kind] == nil {
            groups[chain, default: [:]][f.kind] = Group(first: f.place, last: f.place, example: f.line)
            order.append((chain, f.kind))
        }
        groups[chain]![f.kind]!.count += 1
        if let p = f.place {
            let g = groups[chain]![f.kind]!
            if g.first.map({ Self.value(p) < Self.value($0) }) ?? true { groups[chain]![f.kind]!.first = p }
            if g.last.map({ Self.value(p) > Self.value($0) }) ?? true { groups[chain]![f.kind]!.last = p }
        }
    }

    private static func value(_ p: LedgerFinding.Place) -> Int64 {
        switch p {
        case .link(let n), .batch(let n): return n
        }
    }

    /// One line per chain and kind, in the order first found.
    public var lines: [String] {
        order.map { chain, kind in
            let g = groups[chain]![kind]!
            var line = "chain \(chain): \(kind): \(g.count)"
            switch (g.first, g.last) {
            case (.link(let a)?, .link(let b)?): line += a == b ? " (link #\(a))" : " (links #\(a)…#\(b))"
            case (.batch(let a)?, .batch(let b)?): line += a == b ? " (batch \(a))" : " (batches \(a)…\(b))"
            default: break
            }
            return line + (g.count == 1 ? ": " : "; the first: ") + g.example
        }
    }
}
