/// A streaming reader of the XML that spreadsheet parts are written in: start tags with their
/// attributes, end tags, and text only where the caller asks for it (`captureText`), so a
/// million-row sheet is read in bounded memory without a string for every indentation.
///
/// Names are local names: `x:row` (the .NET SDK's prefix) reads as `row`. A DOCTYPE is refused:
/// no spreadsheet part has one, and entity definitions are how XML bombs are built.
public struct XMLPullReader<Source: ByteSource> {
    public struct Tag: Sendable, Equatable {
        public var name: String
        public var attributes: [(name: String, value: String)]
        public var selfClosing: Bool

        public func attribute(_ name: String) -> String? { attributes.first { $0.name == name }?.value }

        public static func == (a: Tag, b: Tag) -> Bool {
            a.name == b.name && a.selfClosing == b.selfClosing
                && a.attributes.map(\.name) == b.attributes.map(\.name)
                && a.attributes.map(\.value) == b.attributes.map(\.value)
        }
    }

    public enum Event: Sendable, Equatable {
        case start(Tag)
        case end(String)
        case text(String)
    }

    public struct Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "malformed XML at byte \(offset): \(message)" }
    }

    private var source: Source
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var position = 0
    private var end = 0
    private var consumed = 0
    private var atEnd = false
    /// Text between tags is returned only while this is set.
    public var captureText = false

    public init(source: Source) { self.source = source }

    /// Bytes read so far.
    public var offset: Int { consumed + position }

    public mutating func next() throws(Malformed) -> Event? {
        while true {
            guard let byte = try peek() else { return nil }
            if byte != UInt8(ascii: "<") {
                let text = try readText()
                if captureText { return .text(text) }
                continue
            }
            position += 1
            guard let kind = try peek() else { throw malformed("document ends inside a tag") }
            switch kind {
            case UInt8(ascii: "/"):
                position += 1
                let name = try readName()
                try skipSpaces()
                try expect(UInt8(ascii: ">"))
                return .end(name)
            case UInt8(ascii: "?"):
                try skip(past: Array("?>".utf8))
            case UInt8(ascii: "!"):
                position += 1
                let first = try peek()
                if first == UInt8(ascii: "-") {
                    try expectAll("--")
                    try skip(past: Array("-->".utf8))
                } else if first == UInt8(ascii: "[") {
                    try expectAll("[CDATA[")
                    let bytes = try collect(until: Array("]]>".utf8))
                    if captureText { return .text(String(decoding: bytes, as: UTF8.self)) }
                } else {
                    throw malformed("DOCTYPE or declaration refused in a spreadsheet part")
                }
            default:
                return .start(try readTag())
            }
        }
    }

    // MARK: - Tokens

    private mutating func readTag() throws(Malformed) -> Tag {
        let name = try readName()
        var attributes: [(name: String, value: String)] = []
        while true {
            try skipSpaces()
            guard let b = try peek() else { throw malformed("document ends inside <\(name)>") }
            if b == UInt8(ascii: ">") {
                position += 1
                return Tag(name: name, attributes: attributes, selfClosing: false)
            }
            if b == UInt8(ascii: "/") {
                position += 1
                try expect(UInt8(ascii: ">"))
                return Tag(name: name, attributes: attributes, selfClosing: true)
            }
            let attribute = try readName()
            try skipSpaces()
            try expect(UInt8(ascii: "="))
            try skipSpaces()
            guard let quote = try peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw malformed("attribute \(attribute) of <\(name)> has no quoted value")
            }
            position += 1
            let raw = try collect(until: [quote])
            attributes.append((attribute, try Self.decodeEntities(raw, at: offset)))
        }
    }

    /// A name without its namespace prefix.
    private mutating func readName() throws(Malformed) -> String {
        var bytes: [UInt8] = []
        while let b = try peek(), !Self.isSpace(b), b != UInt8(ascii: ">"), b != UInt8(ascii: "/"),
            b != UInt8(ascii: "=")
        {
            bytes.append(b)
            position += 1
        }
        guard !bytes.isEmpty else { throw malformed("a tag or attribute without a name") }
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) { bytes.removeSubrange(...colon) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func readText() throws(Malformed) -> String {
        var bytes: [UInt8] = []
        while let b = try peek(), b != UInt8(ascii: "<") {
            if captureText { bytes.append(b) }
            position += 1
        }
        return captureText ? try Self.decodeEntities(bytes, at: offset) : ""
    }

    /// `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` and character references.
    static func decodeEntities(_ bytes: [UInt8], at offset: Int) throws(Malformed) -> String {
        guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "&") else {
                out.append(bytes[i])
                i += 1
                continue
            }
            guard let semicolon = bytes[i...].firstIndex(of: UInt8(ascii: ";")), semicolon - i <= 12 else {
                throw Malformed(offset: offset, message: "an & that starts no entity")
            }
            let name = String(decoding: bytes[(i + 1)..<semicolon], as: UTF8.self)
            switch name {
            case "lt": out.append(UInt8(ascii: "<"))
            case "gt": out.append(UInt8(ascii: ">"))
            case "amp": out.append(UInt8(ascii: "&"))
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default:
                let hex = name.hasPrefix("#x") || name.hasPrefix("#X")
                guard name.hasPrefix("#"),
                    let code = UInt32(name.dropFirst(hex ? 2 : 1), radix: hex ? 16 : 10),
                    let scalar = Unicode.Scalar(code)
                else { throw Malformed(offset: offset, message: "unknown entity &\(name);") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            i = semicolon + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Bytes

    private static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 }

    private func malformed(_ message: String) -> Malformed { Malformed(offset: offset, message: message) }

    private mutating func peek() throws(Malformed) -> UInt8? {
        if position == end {
            guard try refill() else { return nil }
        }
        return buffer[position]
    }

    private mutating func refill() throws(Malformed) -> Bool {
        guard !atEnd else { return false }
        consumed += end
        position = 0
        end = 0
        do {
            end = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        } catch {
            throw Malformed(offset: consumed, message: "read failed: \(error)")
        }
        if end == 0 { atEnd = true }
        return end > 0
    }

    private mutating func skipSpaces() throws(Malformed) {
        while let b = try peek(), Self.isSpace(b) { position += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(Malformed) {
        guard try peek() == byte else { throw malformed("expected \"\(Character(Unicode.Scalar(byte)))\"") }
        position += 1
    }

    private mutating func expectAll(_ text: String) throws(Malformed) {
        for b in text.utf8 { try expect(b) }
    }

    /// Everything up to `terminator`, which is consumed and not returned.
    private mutating func collect(until terminator: [UInt8]) throws(Malformed) -> [UInt8] {
        var bytes: [UInt8] = []
        while true {
            guard let b = try peek() else {
                throw malformed("document ends before \(String(decoding: terminator, as: UTF8.self))")
            }
            bytes.append(b)
            position += 1
            if bytes.count >= terminator.count, bytes.suffix(terminator.count).elementsEqual(terminator) {
                bytes.removeLast(terminator.count)
                return bytes
            }
        }
    }

    private mutating func skip(past terminator: [UInt8]) throws(Malformed) { _ = try collect(until: terminator) }
}
