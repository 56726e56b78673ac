/// A JSON object that keeps its members in document order.
///
/// Duplicate keys (which RFC 8259 leaves open): the **last value wins**, as in JavaScript's `JSON.parse`;
/// the member keeps the position where its key first appeared, so `keys` never repeats a key.
/// Equality ignores member order: two objects are equal when they have the same keys with equal values.
public struct JSONObject: Equatable, Sendable {
    /// Keys in document order, each once.
    public private(set) var keys: [String]
    /// Values, parallel to `keys`.
    public private(set) var values: [JSONValue]
    /// Key → position, built only for objects larger than `linearLimit`; small objects are searched linearly.
    private var index: [String: Int]

    private static let linearLimit = 12

    public init() {
        keys = []
        values = []
        index = [:]
    }

    /// Members in order; a repeated key replaces the earlier value (last wins) at the earlier position.
    public init(_ members: [(key: String, value: JSONValue)]) {
        self.init(keys: members.map(\.key), values: members.map(\.value))
    }

    /// Builds from parallel key and value sequences as parsed (duplicates allowed, last wins).
    init(keys newKeys: [String], values newValues: [JSONValue]) {
        precondition(newKeys.count == newValues.count, "JSONObject: keys and values differ in count")
        keys = newKeys
        values = newValues
        index = [:]
        if keys.count > Self.linearLimit {
            rebuildIndex()
            if index.count != keys.count { removeDuplicates() }
        } else if hasDuplicateKeys() {
            removeDuplicates()
        }
    }

    private func hasDuplicateKeys() -> Bool {
        for i in keys.indices.dropFirst() {
            for j in 0..<i where keys[i] == keys[j] { return true }
        }
        return false
    }

    /// Rebuilds from the current (duplicated) members: last value wins, first position kept.
    private mutating func removeDuplicates() {
        let (oldKeys, oldValues) = (keys, values)
        keys = []
        values = []
        index = [:]
        for (key, value) in zip(oldKeys, oldValues) {
            setMember(key, value)
        }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// Members in document order.
    public var members: [(key: String, value: JSONValue)] {
        Array(zip(keys, values)).map { (key: $0.0, value: $0.1) }
    }

    /// The value for `key`; setting `nil` removes the member, setting a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let i = position(of: key) else { return nil }
            return values[i]
        }
        set {
            if let newValue {
                setMember(key, newValue)
            } else if let i = position(of: key) {
                keys.remove(at: i)
                values.remove(at: i)
                rebuildIndex()
            }
        }
    }

    private func position(of key: String) -> Int? {
        if index.isEmpty {
            return keys.firstIndex(of: key)
        }
        return index[key]
    }

    private mutating func setMember(_ key: String, _ value: JSONValue) {
        if let i = position(of: key) {
            values[i] = value
            return
        }
        keys.append(key)
        values.append(value)
        if !index.isEmpty {
            index[key] = keys.count - 1
        } else if keys.count > Self.linearLimit {
            rebuildIndex()
        }
    }

    private mutating func rebuildIndex() {
        guard keys.count > Self.linearLimit else {
            index = [:]
            return
        }
        var built = [String: Int](minimumCapacity: keys.count)
        for (i, key) in keys.enumerated() { built[key] = i }
        index = built
    }

    /// Same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.keys.count == rhs.keys.count else { return false }
        if lhs.keys == rhs.keys { return lhs.values == rhs.values }
        for (i, key) in lhs.keys.enumerated() {
            guard let other = rhs[key], other == lhs.values[i] else { return false }
        }
        return true
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// `["a": .number("1")]`; a repeated key: last wins.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }
}
