/// One segment of a (possibly dotted) key, with its position kept for error messages
/// that point at the exact segment that clashes.
struct TOMLKeyPart {
    var name: String
    var line: Int
    var column: Int
}

extension TOMLParser {
    /// `a`, `"a b"`, `'a'`, and dotted chains of them. Consumes trailing blanks.
    mutating func parseKey() throws(TOMLError) -> [TOMLKeyPart] {
        var parts: [TOMLKeyPart] = []
        while true {
            let start = here
            let name: String
            switch peek {
            case UInt8(ascii: "\""):
                if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                    throw fail("a multi-line string cannot be a key")
                }
                name = try parseBasicString()
            case UInt8(ascii: "'"):
                if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
                    throw fail("a multi-line string cannot be a key")
                }
                name = try parseLiteralString()
            case let c? where TOMLChars.isBareKeyChar(c):
                while let c = peek, TOMLChars.isBareKeyChar(c) { bump() }
                name = String(decoding: bytes[start.offset..<here.offset], as: UTF8.self)
            default:
                throw fail("expected a key, found \(describeHere())")
            }
            parts.append(TOMLKeyPart(name: name, line: start.line, column: column(of: start)))
            skipBlanks()
            guard peek == UInt8(ascii: ".") else { return parts }
            bump()
            skipBlanks()
        }
    }

    /// Dispatches on the opening quotes; the cursor is on `"` or `'`.
    mutating func parseStringValue() throws(TOMLError) -> String {
        let quote = peek!
        let triple = peek(1) == quote && peek(2) == quote
        switch (quote == UInt8(ascii: "\""), triple) {
        case (true, false): return try parseBasicString()
        case (true, true): return try parseMultilineString(basic: true)
        case (false, false): return try parseLiteralString()
        case (false, true): return try parseMultilineString(basic: false)
        }
    }

    mutating func parseBasicString() throws(TOMLError) -> String {
        let open = here
        bump()
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw fail("unterminated string", at: open) }
            switch c {
            case UInt8(ascii: "\""):
                bump()
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out, open: open)
            case 0x0A, 0x0D:
                throw fail("newline in a basic string; close the quote or use \"\"\" for multi-line text")
            default:
                try appendContent(c, to: &out)
            }
        }
    }

    mutating func parseLiteralString() throws(TOMLError) -> String {
        let open = here
        bump()
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw fail("unterminated string", at: open) }
            switch c {
            case UInt8(ascii: "'"):
                bump()
                return String(decoding: out, as: UTF8.self)
            case 0x0A, 0x0D:
                throw fail("newline in a literal string; close the quote or use ''' for multi-line text")
            default:
                try appendContent(c, to: &out)
            }
        }
    }

    /// `"""` and `'''`. Line ends are normalised to LF so CRLF files yield the same values.
    mutating func parseMultilineString(basic: Bool) throws(TOMLError) -> String {
        let open = here
        let quote = peek!
        bump(3)
        // A line end right after the opener is formatting, not content.
        if peek == 0x0A {
            bump()
        } else if peek == 0x0D, peek(1) == 0x0A {
            bump(2)
        }
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw fail("unterminated multi-line string", at: open) }
            switch c {
            case quote:
                var run = 0
                while peek(run) == quote { run += 1 }
                if run < 3 {
                    out.append(contentsOf: repeatElement(quote, count: run))
                    bump(run)
                    continue
                }
                // Up to two quotes may sit right before the closing delimiter.
                guard run <= 5 else {
                    bump(5)
                    throw fail("too many quotes at the end of a multi-line string")
                }
                out.append(contentsOf: repeatElement(quote, count: run - 3))
                bump(run)
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\") where basic:
                if isLineEndingBackslash() {
                    bump()
                    while true {
                        if peek == 0x20 || peek == 0x09 || peek == 0x0A {
                            bump()
                        } else if peek == 0x0D, peek(1) == 0x0A {
                            bump(2)
                        } else {
                            break
                        }
                    }
                } else {
                    try parseEscape(into: &out, open: open)
                }
            case 0x0A:
                out.append(0x0A)
                bump()
            case 0x0D where peek(1) == 0x0A:
                out.append(0x0A)
                bump(2)
            default:
                try appendContent(c, to: &out)
            }
        }
    }

    /// A backslash followed only by blanks up to the line end joins the lines.
    private func isLineEndingBackslash() -> Bool {
        var i = 1
        while peek(i) == 0x20 || peek(i) == 0x09 { i += 1 }
        return peek(i) == 0x0A || (peek(i) == 0x0D && peek(i + 1) == 0x0A)
    }

    private mutating func appendContent(_ c: UInt8, to out: inout [UInt8]) throws(TOMLError) {
        if Self.isForbiddenControl(c) {
            throw fail("\(describeHere()) is not allowed in a string; escape it")
        }
        out.append(c)
        bump()
    }

    private mutating func parseEscape(into out: inout [UInt8], open: TOMLMark) throws(TOMLError) {
        let start = here
        bump()
        guard let e = peek else { throw fail("unterminated string", at: open) }
        let simple: UInt8?
        switch e {
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "u"), UInt8(ascii: "U"): simple = nil
        default:
            let shown =
                (0x21..<0x7F).contains(e)
                ? "\\" + String(Character(Unicode.Scalar(e))) : "\\ followed by \(describeHere())"
            throw fail("invalid escape sequence \(shown)", at: start)
        }
        bump()
        if let simple {
            out.append(simple)
            return
        }
        let width = e == UInt8(ascii: "u") ? 4 : 8
        var value: UInt32 = 0
        for i in 0..<width {
            guard let h = peek(i), let digit = Self.hexValue(h) else {
                throw fail("invalid escape: \\\(Character(Unicode.Scalar(e))) needs \(width) hex digits", at: start)
            }
            value = value << 4 | digit
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw fail("invalid escape: \(TOMLChars.unicodeName(value)) is not a Unicode scalar value", at: start)
        }
        bump(width)
        out.append(contentsOf: String(Character(scalar)).utf8)
    }

    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(c - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
