/// Number and literal tokens.
///
/// Numbers follow RFC 8259 exactly: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. No leading
/// zeros, no `+`, no `.5` or `5.`, no `NaN`/`Infinity`. The literal text is returned unchanged.
extension JSONScanner {
    /// Reads a number starting at the cursor (`-` or a digit). Returns the literal text ("" when not building).
    mutating func readNumber(build: Bool) throws(JSONParseError) -> String {
        if build {
            if !tokenBytes.isEmpty { tokenBytes.removeAll(keepingCapacity: true) }
            runActive = true
            runStart = pos
        }
        guard var c = try peek() else { throw endOfInput() }
        if c == UInt8(ascii: "-") {
            pos += 1
            guard let d = try peek() else { throw endOfInput() }
            guard Self.isDigit(d) else {
                throw error("invalid number: expected a digit after '-', found " + Self.describe(d))
            }
            c = d
        }
        pos += 1
        if c == UInt8(ascii: "0") {
            if let d = try peek(), Self.isDigit(d) {
                throw error("invalid number: leading zeros are not allowed")
            }
        } else {
            try skipDigits()
        }
        if try peek() == UInt8(ascii: ".") {
            pos += 1
            try requireDigit(after: "'.'")
            try skipDigits()
        }
        if let e = try peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            pos += 1
            if let sign = try peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                pos += 1
            }
            try requireDigit(after: "the exponent marker")
            try skipDigits()
        }
        guard build else { return "" }
        runActive = false
        if tokenBytes.isEmpty {
            return String(decoding: buffer[runStart..<pos], as: UTF8.self)
        }
        tokenBytes.append(contentsOf: buffer[runStart..<pos])
        return String(decoding: tokenBytes, as: UTF8.self)
    }

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    private mutating func skipDigits() throws(JSONParseError) {
        while true {
            if pos == end {
                guard try refill() else { return }
            }
            guard Self.isDigit(buffer[pos]) else { return }
            pos += 1
        }
    }

    private mutating func requireDigit(after what: String) throws(JSONParseError) {
        guard let d = try peek() else { throw endOfInput() }
        guard Self.isDigit(d) else {
            throw error("invalid number: expected a digit after " + what + ", found " + Self.describe(d))
        }
        pos += 1
    }

    /// Consumes `word` (`true`, `false`, `null`) whose first byte is under the cursor.
    mutating func readLiteral(_ word: StaticString) throws(JSONParseError) {
        let text = word.utf8Start
        for i in 0..<word.utf8CodeUnitCount {
            guard let b = try peek() else { throw endOfInput() }
            guard b == text[i] else {
                throw error("invalid literal: expected '\(word)', found " + Self.describe(b))
            }
            pos += 1
        }
    }
}
