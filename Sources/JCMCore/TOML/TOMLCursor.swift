/// A position in the source. The line start is carried along so a column can be
/// computed only when an error or key actually needs one.
struct TOMLMark {
    var offset: Int
    var line: Int
    var lineStart: Int
}

/// The parser works on UTF-8 bytes: every TOML delimiter is ASCII, and a Swift
/// `String` is already valid UTF-8, so multi-byte scalars only ever pass through.
struct TOMLParser {
    let bytes: [UInt8]
    var here: TOMLMark
    /// Arrays and inline tables recurse; a cap keeps hostile input from exhausting the stack.
    var depth = 0
    static let maxDepth = 100

    init(_ text: String) {
        bytes = Array(text.utf8)
        here = TOMLMark(offset: 0, line: 1, lineStart: 0)
        // Editors on Windows may save a BOM; it is not content.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            here.offset = 3
            here.lineStart = 3
        }
    }
}

extension TOMLParser {
    var atEnd: Bool { here.offset >= bytes.count }

    var peek: UInt8? { here.offset < bytes.count ? bytes[here.offset] : nil }

    func peek(_ ahead: Int) -> UInt8? {
        let i = here.offset + ahead
        return i < bytes.count ? bytes[i] : nil
    }

    /// All movement goes through here so line counting cannot be skipped by accident.
    mutating func bump(_ n: Int = 1) {
        for _ in 0..<n {
            if bytes[here.offset] == 0x0A {
                here.line += 1
                here.lineStart = here.offset + 1
            }
            here.offset += 1
        }
    }

    func column(of mark: TOMLMark) -> Int {
        var column = 1
        for i in mark.lineStart..<mark.offset where bytes[i] & 0xC0 != 0x80 { column += 1 }
        return column
    }

    func fail(_ message: String, at mark: TOMLMark? = nil) -> TOMLError {
        let mark = mark ?? here
        return TOMLError(line: mark.line, column: column(of: mark), message: message)
    }

    /// Names the character at the cursor for messages, without dumping raw control bytes.
    func describeHere() -> String {
        guard let c = peek else { return "end of input" }
        switch c {
        case 0x0A: return "end of line"
        case 0x0D where peek(1) == 0x0A: return "end of line"
        case 0x00..<0x20, 0x7F: return "control character \(TOMLChars.unicodeName(UInt32(c)))"
        case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(c)))'"
        default:
            var end = here.offset + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            return "'\(String(decoding: bytes[here.offset..<end], as: UTF8.self))'"
        }
    }

    /// TOML forbids these everywhere except tab; CR and LF are handled as line ends by callers.
    static func isForbiddenControl(_ c: UInt8) -> Bool {
        (c < 0x20 && c != 0x09) || c == 0x7F
    }

    mutating func skipBlanks() {
        while let c = peek, c == 0x20 || c == 0x09 { bump() }
    }

    /// Consumes a `#` comment up to (not including) its line end.
    mutating func skipComment() throws(TOMLError) {
        guard peek == UInt8(ascii: "#") else { return }
        bump()
        while let c = peek, c != 0x0A {
            if c == 0x0D, peek(1) == 0x0A { return }
            if Self.isForbiddenControl(c) {
                throw fail("\(describeHere()) is not allowed in a comment")
            }
            bump()
        }
    }

    /// Consumes LF or CRLF; a lone CR is an error because TOML does not treat it as a line end.
    mutating func consumeNewline() throws(TOMLError) -> Bool {
        switch peek {
        case 0x0A:
            bump()
            return true
        case 0x0D:
            guard peek(1) == 0x0A else { throw fail("carriage return must be followed by a line feed") }
            bump(2)
            return true
        default:
            return false
        }
    }

    /// After a value or header only blanks and a comment may follow on the same line.
    mutating func expectLineEnd(after what: String) throws(TOMLError) {
        skipBlanks()
        try skipComment()
        if atEnd { return }
        if try consumeNewline() { return }
        throw fail("unexpected \(describeHere()) after \(what), expected end of line")
    }

    /// Arrays may span lines and carry comments between elements.
    mutating func skipBlanksNewlinesAndComments() throws(TOMLError) {
        while true {
            skipBlanks()
            try skipComment()
            if try !consumeNewline() { return }
        }
    }
}

/// Character classes shared by the lexing files; namespaced so they cannot clash
/// with helpers elsewhere in JCMCore.
enum TOMLChars {
    static func unicodeName(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    static func isBareKeyChar(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}
