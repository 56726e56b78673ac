/// Dotted paths into a value, as used by poll mappings: `energy.total_wh`, `emeters.0.total`, `Body.Data.0`.
///
/// Grammar: steps separated by `.`; a plain step is a key, or for an array a decimal index (`0`, `12`);
/// a bracketed step `["x.y"]` is a quoted key that may contain dots or brackets (escape `"` and `\` with `\`),
/// `[3]` is an index. `a["x.y"].b` and `a["x.y"]["z"]` both work. The empty path designates the value itself.
extension JSONValue {
    /// Follows `path`; nil when any step is missing, indexes a non-array, or the path is malformed.
    public func value(at path: String) -> JSONValue? {
        // Most paths are plain keys and indexes: followed in place, without the steps' array
        // (a poll's reading is two or three paths, and their parse was most of its allocations).
        guard path.utf8.contains(UInt8(ascii: "[")) else { return value(atPlain: path) }
        guard let steps = JSONPathStep.parse(path) else { return nil }
        var current = self
        for step in steps {
            guard let next = current.child(step) else { return nil }
            current = next
        }
        return current
    }

    /// `value(at:)` for a path without brackets: steps between dots, none empty.
    private func value(atPlain path: String) -> JSONValue? {
        guard !path.isEmpty else { return self }
        let utf8 = path.utf8
        var current = self
        var start = utf8.startIndex
        while true {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: ".")) ?? utf8.endIndex
            guard start < end, let next = current.child(.plain(String(path[start..<end]))) else { return nil }
            current = next
            guard end < utf8.endIndex else { return current }
            start = utf8.index(after: end)
        }
    }

    private func child(_ step: JSONPathStep) -> JSONValue? {
        switch (self, step) {
        case (.object(let object), .plain(let key)), (.object(let object), .quoted(let key)):
            return object[key]
        case (.array(let array), .plain(let text)):
            guard let i = JSONPathStep.index(text), i < array.count else { return nil }
            return array[i]
        default:
            return nil
        }
    }
}

/// One step of a path: `plain` is a key or an array index, `quoted` is always a key.
enum JSONPathStep: Equatable {
    case plain(String)
    case quoted(String)

    /// A decimal index without sign; nil otherwise.
    static func index(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return nil
        }
        return Int(text)
    }

    /// Splits a path; nil when malformed (empty step, unclosed bracket or quote, junk after `]`).
    static func parse(_ path: String) -> [JSONPathStep]? {
        let bytes = Array(path.utf8)
        var steps: [JSONPathStep] = []
        var i = 0
        var needStep = false  // after a '.', a step must follow
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "[") {
                guard let (step, next) = bracketStep(bytes, from: i + 1) else { return nil }
                steps.append(step)
                i = next
                // After `]` only `.`, `[` or the end may follow.
                if i < bytes.count, bytes[i] != UInt8(ascii: "."), bytes[i] != UInt8(ascii: "[") { return nil }
            } else {
                let start = i
                while i < bytes.count, bytes[i] != UInt8(ascii: "."), bytes[i] != UInt8(ascii: "[") { i += 1 }
                guard i > start else { return nil }
                steps.append(.plain(String(decoding: bytes[start..<i], as: UTF8.self)))
            }
            needStep = false
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                needStep = true
            }
        }
        return needStep ? nil : steps
    }

    /// Parses `"key"]` or `digits]` starting just after `[`; returns the step and the index after `]`.
    private static func bracketStep(_ bytes: [UInt8], from start: Int) -> (JSONPathStep, Int)? {
        var i = start
        guard i < bytes.count else { return nil }
        if bytes[i] == UInt8(ascii: "\"") {
            i += 1
            var key: [UInt8] = []
            while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                if bytes[i] == UInt8(ascii: "\\") {
                    i += 1
                    guard i < bytes.count else { return nil }
                }
                key.append(bytes[i])
                i += 1
            }
            guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "]") else { return nil }
            return (.quoted(String(decoding: key, as: UTF8.self)), i + 2)
        }
        while i < bytes.count, bytes[i] != UInt8(ascii: "]") { i += 1 }
        guard i < bytes.count else { return nil }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        guard index(text) != nil else { return nil }
        return (.plain(text), i + 1)
    }
}
