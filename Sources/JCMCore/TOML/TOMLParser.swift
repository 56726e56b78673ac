/// Document structure: lines of headers and key/value pairs, plus the two
/// compound values (arrays and inline tables) whose elements recurse into `parseValue`.
extension TOMLParser {
    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        let root = TOMLTableBuilder(origin: .root, line: 1, path: [])
        var current = root
        while true {
            skipBlanks()
            guard let c = peek else { break }
            if c == UInt8(ascii: "#") {
                try skipComment()
            } else if try consumeNewline() {
                continue
            } else if c == UInt8(ascii: "[") {
                current = try parseHeader(root: root)
            } else {
                try parseKeyValue(into: current)
                try expectLineEnd(after: "value")
            }
        }
        return root.build()
    }

    /// `[a.b]` or `[[a.b]]`, up to and including the end of its line.
    private mutating func parseHeader(root: TOMLTableBuilder) throws(TOMLError) -> TOMLTableBuilder {
        let line = here.line
        bump()
        // `[[` must be adjacent; `[ [a] ]` is a malformed key, not an array header.
        let isArray = peek == UInt8(ascii: "[")
        if isArray { bump() }
        skipBlanks()
        let key = try parseKey()
        let close = isArray ? "]]" : "]"
        for _ in 0..<(isArray ? 2 : 1) {
            guard peek == UInt8(ascii: "]") else {
                throw fail("expected '\(close)' to close the table header, found \(describeHere())")
            }
            bump()
        }
        try expectLineEnd(after: "table header")
        return isArray
            ? try root.appendTableArrayElement(key, line: line)
            : try root.defineTable(key, line: line)
    }

    /// `key = value`; used for the document and for inline tables.
    private mutating func parseKeyValue(into table: TOMLTableBuilder) throws(TOMLError) {
        let key = try parseKey()
        guard peek == UInt8(ascii: "=") else {
            let name = TOMLKeyPath.display(key.map(\.name))
            throw fail("expected '=' after key '\(name)', found \(describeHere())")
        }
        bump()
        skipBlanks()
        let line = key[0].line
        let value = try parseValue(path: table.path + key.map(\.name))
        try table.insert(key, TOMLNode(value: value, line: line))
    }

    /// `path` names the key the value belongs to, so errors inside inline tables can
    /// name the full key.
    private mutating func parseValue(path: [String]) throws(TOMLError) -> TOMLValue {
        switch peek {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return .string(try parseStringValue())
        case UInt8(ascii: "["):
            return try nested { (p: inout TOMLParser) throws(TOMLError) in try p.parseArray(path: path) }
        case UInt8(ascii: "{"):
            return try nested { (p: inout TOMLParser) throws(TOMLError) in try p.parseInlineTable(path: path) }
        default:
            return try parseBareValue()
        }
    }

    private mutating func nested(
        _ body: (inout TOMLParser) throws(TOMLError) -> TOMLValue
    ) throws(TOMLError) -> TOMLValue {
        guard depth < Self.maxDepth else { throw fail("arrays and inline tables nested too deeply") }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }

    private mutating func parseArray(path: [String]) throws(TOMLError) -> TOMLValue {
        let open = here
        bump()
        var items: [TOMLNode] = []
        while true {
            try skipBlanksNewlinesAndComments()
            guard let c = peek else { throw fail("unterminated array", at: open) }
            if c == UInt8(ascii: "]") {
                bump()
                return .array(items)
            }
            let line = here.line
            items.append(TOMLNode(value: try parseValue(path: path), line: line))
            try skipBlanksNewlinesAndComments()
            switch peek {
            case UInt8(ascii: ","):
                bump()
            case UInt8(ascii: "]"):
                bump()
                return .array(items)
            case nil:
                throw fail("unterminated array", at: open)
            default:
                throw fail("expected ',' or ']' after array element, found \(describeHere())")
            }
        }
    }

    /// TOML 1.0 inline tables are single-line and allow no trailing comma.
    private mutating func parseInlineTable(path: [String]) throws(TOMLError) -> TOMLValue {
        let open = here
        bump()
        let table = TOMLTableBuilder(origin: .inline, line: open.line, path: path)
        skipBlanks()
        if peek == UInt8(ascii: "}") {
            bump()
            return .table(table.build())
        }
        while true {
            skipBlanks()
            try rejectInlineTableEnd(open: open)
            if peek == UInt8(ascii: "}") { throw fail("trailing comma is not allowed in an inline table") }
            try parseKeyValue(into: table)
            skipBlanks()
            try rejectInlineTableEnd(open: open)
            switch peek {
            case UInt8(ascii: ","):
                bump()
            case UInt8(ascii: "}"):
                bump()
                return .table(table.build())
            default:
                throw fail("expected ',' or '}' in inline table, found \(describeHere())")
            }
        }
    }

    private func rejectInlineTableEnd(open: TOMLMark) throws(TOMLError) {
        switch peek {
        case nil: throw fail("unterminated inline table", at: open)
        case 0x0A, 0x0D: throw fail("newline inside an inline table; inline tables must be on one line")
        default: return
        }
    }
}
