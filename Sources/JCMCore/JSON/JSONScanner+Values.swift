/// The value parser: iterative, with explicit stacks, so nesting depth never touches the call stack.
extension JSONScanner {
    /// Parses one value starting at the cursor (white space before it already skipped), leaving the cursor
    /// just after it. With `build == false` it only checks the syntax and returns `.null`, in bounded memory.
    /// Nesting deeper than `maxDepth` (512) containers is an error.
    mutating func parseValue(build: Bool) throws(JSONParseError) -> JSONValue {
        // Left non-empty only by an earlier error.
        if !frames.isEmpty { frames.removeAll(keepingCapacity: true) }
        var result: JSONValue

        parsing: while true {
            // At the start of a value.
            guard let b = try peek() else { throw endOfInput() }
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = b == UInt8(ascii: "{")
                guard frames.count < Self.maxDepth else {
                    throw error("nesting deeper than \(Self.maxDepth) levels")
                }
                pos += 1
                try skipWhitespace()
                if try peek() == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    pos += 1
                    result = !build ? .null : isObject ? .object(JSONObject()) : .array([])
                } else {
                    frames.append(Frame(isObject: isObject, build: build))
                    if isObject {
                        try readMemberKey(build: build)
                    }
                    continue parsing
                }
            case UInt8(ascii: "\""):
                pos += 1
                result = .string(try readString(build: build))
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                result = .number(try readNumber(build: build))
            case UInt8(ascii: "t"):
                try readLiteral("true")
                result = .bool(true)
            case UInt8(ascii: "f"):
                try readLiteral("false")
                result = .bool(false)
            case UInt8(ascii: "n"):
                try readLiteral("null")
                result = .null
            default:
                throw error("unexpected " + Self.describe(b) + " at start of value")
            }

            // A value is complete: hand it to the enclosing containers, closing as many as end here.
            while let isObject = frames.last?.isObject {
                if build { frames[frames.count - 1].values.append(result) }
                try skipWhitespace()
                guard let c = try peek() else { throw endOfInput() }
                let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if c == UInt8(ascii: ",") {
                    pos += 1
                    try skipWhitespace()
                    if try peek() == close {
                        throw error("trailing comma before " + Self.describe(close))
                    }
                    if isObject {
                        try readMemberKey(build: build)
                    }
                    continue parsing
                }
                guard c == close else {
                    throw error(
                        isObject
                            ? "expected ',' or '}' after object member, found " + Self.describe(c)
                            : "expected ',' or ']' after array element, found " + Self.describe(c))
                }
                pos += 1
                let closed = frames.removeLast()
                if !build {
                    result = .null
                } else if closed.isObject {
                    result = .object(JSONObject(keys: closed.keys, values: closed.values))
                } else {
                    result = .array(closed.values)
                }
            }
            return result
        }
    }

    /// Reads `"key" :` and the white space after it (the cursor is at the key, white space skipped).
    private mutating func readMemberKey(build: Bool) throws(JSONParseError) {
        let key = try readKey(build: build)
        if build { frames[frames.count - 1].keys.append(key) }
        try skipWhitespace()
        guard let c = try peek() else { throw endOfInput() }
        guard c == UInt8(ascii: ":") else {
            throw error("expected ':' after object key, found " + Self.describe(c))
        }
        pos += 1
        try skipWhitespace()
    }

    /// Reads an object key (cursor at its opening quote).
    mutating func readKey(build: Bool) throws(JSONParseError) -> String {
        guard let c = try peek() else { throw endOfInput() }
        guard c == UInt8(ascii: "\"") else {
            throw error("expected a string key, found " + Self.describe(c))
        }
        pos += 1
        return try readString(build: build)
    }

    /// After a complete top-level value: only white space may follow.
    mutating func expectEndOfDocument() throws(JSONParseError) {
        try skipWhitespace()
        if let b = try peek() {
            throw error("unexpected " + Self.describe(b) + " after end of document")
        }
    }
}
