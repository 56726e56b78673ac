/// String tokens: escapes, surrogate pairs, UTF-8 validation.
///
/// Lone surrogates (`\ud800` not followed by a low surrogate escape, or a stray `\udc00`) are errors,
/// as in RFC 8259's strict parsers: they name no character, and replacing them with U+FFFD would store a
/// value the sender never wrote. Raw control characters (U+0000–U+001F) and malformed UTF-8 are errors.
extension JSONScanner {
    /// Reads the rest of a string whose opening quote has been consumed, up to and including the closing
    /// quote. With `build == false` it only validates and returns "" (memory stays bounded for huge strings).
    mutating func readString(build: Bool) throws(JSONParseError) -> String {
        if build {
            if !tokenBytes.isEmpty { tokenBytes.removeAll(keepingCapacity: true) }
            runActive = true
            runStart = pos
        }
        while true {
            if pos == end {
                guard try refill() else { throw endOfInput() }
                continue
            }
            // Fast scan over plain ASCII; stops at a quote, backslash, control or non-ASCII byte, or the end.
            pos = buffer.withUnsafeBufferPointer { bytes in
                var i = pos
                while i < end {
                    let c = bytes[i]
                    if c == 0x22 || c == 0x5C || c < 0x20 || c >= 0x80 { break }
                    i += 1
                }
                return i
            }
            if pos == end { continue }
            let b = buffer[pos]
            if b == 0x22 {
                var result = ""
                if build {
                    runActive = false
                    if tokenBytes.isEmpty {
                        result = String(decoding: buffer[runStart..<pos], as: UTF8.self)
                    } else {
                        tokenBytes.append(contentsOf: buffer[runStart..<pos])
                        result = String(decoding: tokenBytes, as: UTF8.self)
                    }
                }
                pos += 1
                return result
            }
            if b == 0x5C {
                if build {
                    tokenBytes.append(contentsOf: buffer[runStart..<pos])
                    runActive = false
                }
                pos += 1
                try readEscape(build: build)
                if build {
                    runActive = true
                    runStart = pos
                }
                continue
            }
            if b < 0x20 {
                if b == 0x0A {
                    throw error("unescaped line break in string (unterminated string?)")
                }
                throw error("unescaped control character " + Self.hex(b) + " in string")
            }
            if b < 0x80 {
                pos += 1
                continue
            }
            try skipUTF8Sequence(lead: b)
        }
    }

    /// Consumes one well-formed multi-byte UTF-8 sequence (Unicode Table 3-7) starting at the cursor.
    private mutating func skipUTF8Sequence(lead: UInt8) throws(JSONParseError) {
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        let continuations: Int
        switch lead {
        case 0xC2...0xDF: continuations = 1
        case 0xE0:
            continuations = 2
            low = 0xA0
        case 0xE1...0xEC, 0xEE, 0xEF: continuations = 2
        case 0xED:
            continuations = 2
            high = 0x9F
        case 0xF0:
            continuations = 3
            low = 0x90
        case 0xF1...0xF3: continuations = 3
        case 0xF4:
            continuations = 3
            high = 0x8F
        default: throw error("invalid UTF-8 in string (byte " + Self.hex(lead) + ")")
        }
        pos += 1
        for _ in 0..<continuations {
            guard let c = try peek() else { throw endOfInput() }
            guard c >= low && c <= high else {
                throw error("invalid UTF-8 in string (byte " + Self.hex(c) + ")")
            }
            pos += 1
            low = 0x80
            high = 0xBF
        }
        lineExtraBytes += continuations
    }

    /// Reads the escape after a backslash, appending the decoded bytes to `tokenBytes` when building.
    private mutating func readEscape(build: Bool) throws(JSONParseError) {
        guard let c = try peek() else { throw endOfInput() }
        let decoded: UInt8
        switch c {
        case UInt8(ascii: "\""): decoded = 0x22
        case UInt8(ascii: "\\"): decoded = 0x5C
        case UInt8(ascii: "/"): decoded = 0x2F
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"):
            pos += 1
            try readUnicodeEscape(build: build)
            return
        default:
            throw error(
                "invalid escape \\" + (c > 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : Self.hex(c))
                    + " in string")
        }
        pos += 1
        if build { tokenBytes.append(decoded) }
    }

    /// Reads the four hex digits after `\u`, pairing surrogates; a lone surrogate is an error.
    private mutating func readUnicodeEscape(build: Bool) throws(JSONParseError) {
        let unit = try readHex4()
        if unit >= 0xDC00 && unit <= 0xDFFF {
            throw error("lone low surrogate \\u" + String(unit, radix: 16) + " in string")
        }
        guard unit >= 0xD800 && unit <= 0xDBFF else {
            appendScalar(unit, build: build)
            return
        }
        // A high surrogate: only `\uDC00`–`\uDFFF` right after it completes the pair.
        let lone = "lone high surrogate \\u" + String(unit, radix: 16) + " in string"
        guard try peek() == UInt8(ascii: "\\") else { throw error(lone) }
        pos += 1
        guard try peek() == UInt8(ascii: "u") else { throw error(lone) }
        pos += 1
        let next = try readHex4()
        guard next >= 0xDC00 && next <= 0xDFFF else { throw error(lone) }
        appendScalar(0x10000 + ((unit - 0xD800) << 10) + (next - 0xDC00), build: build)
    }

    private mutating func readHex4() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let c = try peek() else { throw endOfInput() }
            let digit: UInt8
            switch c {
            case 0x30...0x39: digit = c - 0x30
            case 0x41...0x46: digit = c - 0x41 + 10
            case 0x61...0x66: digit = c - 0x61 + 10
            default: throw error("invalid \\u escape: expected 4 hex digits, found " + Self.describe(c))
            }
            value = value << 4 | UInt32(digit)
            pos += 1
        }
        return value
    }

    /// Appends `scalar` (never a surrogate) as UTF-8.
    private mutating func appendScalar(_ scalar: UInt32, build: Bool) {
        guard build else { return }
        switch scalar {
        case ..<0x80:
            tokenBytes.append(UInt8(scalar))
        case ..<0x800:
            tokenBytes.append(UInt8(0xC0 | scalar >> 6))
            tokenBytes.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            tokenBytes.append(UInt8(0xE0 | scalar >> 12))
            tokenBytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            tokenBytes.append(UInt8(0x80 | scalar & 0x3F))
        default:
            tokenBytes.append(UInt8(0xF0 | scalar >> 18))
            tokenBytes.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            tokenBytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            tokenBytes.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
