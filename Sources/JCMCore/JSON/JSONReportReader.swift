/// Streams the elements of one array inside a large report document:
///
///     {"source": "...", "readings": [ {...}, {...}, ... ], "trailer": ...}
///
/// Only a 64 KiB window of the input is held (refilled from the source) plus the current element, so a
/// multi-gigabyte file is read in bounded memory. Members before and after the array are checked for syntax
/// without being kept. The array is looked up among the top-level keys only; if the key occurs more than once,
/// the first occurrence is streamed and later ones are only checked. Elements are parsed as by `JSON.parse`
/// (exact number literals, depth limit 512, strict strings).
///
/// The reader is a value type holding its source; a copy shares the source's state only when the source is a
/// reference type (a file handle), so do not interleave copies. After an error every further `next()` throws
/// the same error. An error thrown by the source itself is rethrown unchanged.
public struct JSONReportReader<Source: ByteSource> {
    private var scanner: JSONScanner
    private let arrayKey: String
    private let maxElementBytes: Int
    private var state: State = .start
    private var lastBytes: [UInt8] = []

    private enum State {
        case start
        case inArray(first: Bool)
        case finished
        case failed(any Error)
    }

    /// - Parameters:
    ///   - arrayKey: the top-level key of the array to stream.
    ///   - maxElementBytes: an element whose source text is longer than this is an error (bounds memory).
    public init(source: Source, arrayKey: String = "readings", maxElementBytes: Int = 1 << 20) {
        self.scanner = JSONScanner(source: source)
        self.arrayKey = arrayKey
        self.maxElementBytes = max(1, maxElementBytes)
    }

    /// Next element of the array with the line it starts on; nil after the array's end (the rest of the
    /// document is still checked for syntax up to EOF). Throws `JSONParseError` on bad syntax (with
    /// line/column), on a top level that is not an object, when the key is missing (`no "readings" array`),
    /// or for an element larger than `maxElementBytes`.
    public mutating func next() throws -> (value: JSONValue, line: Int)? {
        switch state {
        case .finished: return nil
        case .failed(let error): throw error
        case .start, .inArray: break
        }
        do {
            return try step()
        } catch {
            let reported: any Error = scanner.sourceError ?? error
            state = .failed(reported)
            throw reported
        }
    }

    /// Raw text of the element last returned (exact source bytes, for keeping rejected input verbatim).
    public var lastElementText: String { String(decoding: lastBytes, as: UTF8.self) }

    /// Bytes of the element last returned, exactly as in the source.
    public var lastElementBytes: [UInt8] { lastBytes }

    /// Bytes pulled from the source so far (read ahead by up to one 64 KiB window), for progress reports.
    public var sourceBytesRead: Int { scanner.bytesRead }

    // MARK: - Steps

    private mutating func step() throws(JSONParseError) -> (value: JSONValue, line: Int)? {
        if case .start = state {
            try openReport()
        }
        guard case .inArray(let first) = state else { return nil }
        try scanner.skipWhitespace()
        guard let b = try scanner.peek() else { throw scanner.endOfInput() }
        if b == UInt8(ascii: "]") {
            scanner.pos += 1
            _ = try scanMembers(findKey: nil, afterValue: true)
            state = .finished
            return nil
        }
        if !first {
            guard b == UInt8(ascii: ",") else {
                throw scanner.error("expected ',' or ']' after array element, found " + JSONScanner.describe(b))
            }
            scanner.pos += 1
            try scanner.skipWhitespace()
            if try scanner.peek() == UInt8(ascii: "]") {
                throw scanner.error("trailing comma before ']'")
            }
        }
        let line = scanner.line
        scanner.beginCapture(limit: maxElementBytes)
        let value = try scanner.parseValue(build: true)
        try scanner.endCapture()
        swap(&lastBytes, &scanner.captured)
        state = .inArray(first: false)
        return (value, line)
    }

    /// Reads up to the opening bracket of the array, checking everything before it.
    private mutating func openReport() throws(JSONParseError) {
        try scanner.skipByteOrderMark()
        try scanner.skipWhitespace()
        guard let b = try scanner.peek() else {
            throw scanner.error("unexpected end of input (empty document)")
        }
        guard b == UInt8(ascii: "{") else {
            switch b {
            case UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                throw scanner.error("the top level of a report must be a JSON object, found " + JSONScanner.describe(b))
            default:
                throw scanner.error("unexpected " + JSONScanner.describe(b) + " at start of value")
            }
        }
        let objectLine = scanner.line
        let objectColumn = scanner.column
        scanner.pos += 1
        guard try scanMembers(findKey: arrayKey, afterValue: false) else {
            throw JSONParseError(line: objectLine, column: objectColumn, message: "no \"\(arrayKey)\" array")
        }
        state = .inArray(first: true)
    }

    /// Reads members of the top-level object. Returns true positioned just after the `[` of member `key`;
    /// false after the closing brace, with the rest of the document checked to be white space.
    private mutating func scanMembers(findKey key: String?, afterValue: Bool) throws(JSONParseError) -> Bool {
        var afterValue = afterValue
        while true {
            try scanner.skipWhitespace()
            guard let c = try scanner.peek() else { throw scanner.endOfInput() }
            if c == UInt8(ascii: "}") {
                scanner.pos += 1
                try scanner.expectEndOfDocument()
                return false
            }
            if afterValue {
                guard c == UInt8(ascii: ",") else {
                    throw scanner.error("expected ',' or '}' after object member, found " + JSONScanner.describe(c))
                }
                scanner.pos += 1
                try scanner.skipWhitespace()
                if try scanner.peek() == UInt8(ascii: "}") {
                    throw scanner.error("trailing comma before '}'")
                }
            }
            let name = try scanner.readKey(build: true)
            try scanner.skipWhitespace()
            guard let colon = try scanner.peek() else { throw scanner.endOfInput() }
            guard colon == UInt8(ascii: ":") else {
                throw scanner.error("expected ':' after object key, found " + JSONScanner.describe(colon))
            }
            scanner.pos += 1
            try scanner.skipWhitespace()
            if let key, name == key {
                guard let v = try scanner.peek() else { throw scanner.endOfInput() }
                guard v == UInt8(ascii: "[") else {
                    throw scanner.error("\"\(key)\" is not an array")
                }
                scanner.pos += 1
                return true
            }
            _ = try scanner.parseValue(build: false)
            afterValue = true
        }
    }
}
