/// Just enough XML for S3's listing replies: elements, text, character references, CDATA;
/// the prolog, comments and a DOCTYPE are skipped; attributes are ignored and namespace
/// prefixes dropped. Not a general XML parser (no DTD entities, no validation): S3 and its
/// compatible servers write plain, flat documents.
struct MiniXMLElement: Sendable, Equatable {
    var name: String
    var children: [MiniXMLElement] = []
    var text = ""

    func child(_ name: String) -> MiniXMLElement? { children.first { $0.name == name } }
    func all(_ name: String) -> [MiniXMLElement] { children.filter { $0.name == name } }
}

struct MiniXMLError: Error, Equatable, CustomStringConvertible {
    var line: Int
    var message: String
    var description: String { "line \(line): \(message)" }
}

enum MiniXML {
    static func parse(_ bytes: [UInt8]) throws(MiniXMLError) -> MiniXMLElement {
        var p = Parser(bytes: bytes)
        try p.skipMisc()
        guard p.peek == UInt8(ascii: "<") else {
            throw p.error(p.atEnd ? "empty document" : "text before the root element")
        }
        let root = try p.element()
        try p.skipMisc()
        guard p.atEnd else { throw p.error("content after the root element") }
        return root
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        var atEnd: Bool { i >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[i] }

        func error(_ message: String) -> MiniXMLError {
            MiniXMLError(line: 1 + bytes[..<min(i, bytes.count)].lazy.filter { $0 == 10 }.count, message: message)
        }

        func starts(with s: String) -> Bool {
            let u = Array(s.utf8)
            return i + u.count <= bytes.count && Array(bytes[i..<(i + u.count)]) == u
        }

        mutating func skip(past s: String) throws(MiniXMLError) {
            let u = Array(s.utf8)
            while i + u.count <= bytes.count {
                if Array(bytes[i..<(i + u.count)]) == u {
                    i += u.count
                    return
                }
                i += 1
            }
            throw error("unterminated markup (expected \(s))")
        }

        mutating func skipSpace() { while let b = peek, b == 32 || b == 9 || b == 10 || b == 13 { i += 1 } }

        /// Whitespace, `<?…?>`, comments and `<!DOCTYPE …>` around the root.
        mutating func skipMisc() throws(MiniXMLError) {
            while true {
                skipSpace()
                if starts(with: "<?") {
                    try skip(past: "?>")
                } else if starts(with: "<!--") {
                    try skip(past: "-->")
                } else if starts(with: "<!") {
                    try skip(past: ">")
                } else {
                    return
                }
            }
        }

        mutating func name() throws(MiniXMLError) -> String {
            let start = i
            while let b = peek, b != 32, b != 9, b != 10, b != 13, b != UInt8(ascii: ">"), b != UInt8(ascii: "/") {
                i += 1
            }
            guard i > start else { throw error("an element has no name") }
            let full = String(decoding: bytes[start..<i], as: UTF8.self)
            return full.split(separator: ":").last.map(String.init) ?? full
        }

        /// At "<": one element and everything in it.
        mutating func element() throws(MiniXMLError) -> MiniXMLElement {
            i += 1
            var element = MiniXMLElement(name: try name())
            // Attributes are not needed; skip to the end of the tag, minding quoted values.
            var quote: UInt8?
            while let b = peek {
                if let q = quote {
                    if b == q { quote = nil }
                } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                    quote = b
                } else if b == UInt8(ascii: ">") {
                    break
                }
                i += 1
            }
            guard !atEnd else { throw error("<\(element.name)> is not closed") }
            if bytes[i - 1] == UInt8(ascii: "/") {
                i += 1
                return element
            }
            i += 1
            var text: [UInt8] = []
            while true {
                guard let b = peek else { throw error("<\(element.name)> has no end tag") }
                if b != UInt8(ascii: "<") {
                    text.append(b)
                    i += 1
                } else if starts(with: "</") {
                    i += 2
                    let end = try name()
                    skipSpace()
                    guard end == element.name, peek == UInt8(ascii: ">") else {
                        throw error("</\(end)> does not close <\(element.name)>")
                    }
                    i += 1
                    break
                } else if starts(with: "<![CDATA[") {
                    i += 9
                    let start = i
                    try skip(past: "]]>")
                    text += bytes[start..<(i - 3)]
                } else if starts(with: "<!--") {
                    try skip(past: "-->")
                } else if starts(with: "<?") {
                    try skip(past: "?>")
                } else {
                    element.children.append(try self.element())
                }
            }
            element.text = HTMLEntities.decode(String(decoding: text, as: UTF8.self))
            return element
        }
    }
}
