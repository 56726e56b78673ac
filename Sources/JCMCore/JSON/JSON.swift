/// Entry points for parsing a whole JSON document held in memory.
///
/// Numbers keep their literal text (`JSONValue.number`), never passing through `Double`. A leading UTF-8
/// byte order mark is ignored; only white space may follow the value. See `JSONReportReader` for streaming.
public enum JSON {
    /// Nesting deeper than this many arrays/objects is rejected with an error.
    public static let maxDepth = JSONScanner.maxDepth

    /// Parses one complete document from UTF-8 bytes.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var scanner = JSONScanner(bytes: bytes)
        try scanner.skipByteOrderMark()
        try scanner.skipWhitespace()
        guard try scanner.peek() != nil else {
            throw scanner.error("unexpected end of input (empty document)")
        }
        let value = try scanner.parseValue(build: true)
        try scanner.expectEndOfDocument()
        return value
    }

    /// Parses one complete document from text.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}
