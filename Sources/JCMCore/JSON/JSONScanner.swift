/// Byte cursor shared by `JSON.parse` and `JSONReportReader`.
///
/// For a whole document `buffer` is the document itself and there is no source. For streaming, `buffer` is a
/// fixed window (64 KiB) refilled from a `ByteSource` whenever the cursor reaches its end; bytes of a token or
/// of a captured element that span a refill are copied out first, so nothing ever needs the whole input.
/// A concrete (non-generic) type, so the hot loops are compiled once and fast in every build mode.
struct JSONScanner {
    static let maxDepth = 512
    static let streamBufferSize = 64 * 1024

    var buffer: [UInt8]
    /// Cursor into `buffer`; `end` is the number of valid bytes.
    var pos = 0
    var end: Int
    /// Absolute offset of `buffer[0]` in the input.
    var base = 0

    private var source: (any ByteSource)?
    private var sourceExhausted: Bool
    /// The error thrown by the source, if any (reported as-is by the stream reader).
    private(set) var sourceError: (any Error)?

    // Position of the cursor.
    var line = 1
    /// Absolute offset of the first byte of the current line.
    var lineStart = 0
    /// UTF-8 continuation bytes consumed on the current line (columns count scalars, not bytes).
    var lineExtraBytes = 0

    // The raw run of the token being read (string or number): `buffer[runStart..<pos]` plus, when the token
    // crossed a refill or contained escapes, the bytes already moved to `tokenBytes`.
    var runActive = false
    var runStart = 0
    var tokenBytes: [UInt8] = []

    // Verbatim capture of an array element for `JSONReportReader.lastElementText`.
    var captureActive = false
    var captureStart = 0
    var captured: [UInt8] = []
    var captureLimit = Int.max
    var captureLine = 1
    var captureColumn = 1

    /// An array or object being parsed; its members are moved into the result when it closes.
    struct Frame {
        var isObject: Bool
        var values: [JSONValue] = []
        var keys: [String] = []

        init(isObject: Bool, build: Bool) {
            self.isObject = isObject
            if build {
                // Typical readings have a handful of members; this avoids regrowing from 1, 2, 4.
                values.reserveCapacity(isObject ? 8 : 4)
                if isObject { keys.reserveCapacity(8) }
            }
        }
    }
    /// Open containers of the iterative value parser (kept here to reuse the storage between elements).
    var frames: [Frame] = []

    /// Scans a complete document held in memory.
    init(bytes: [UInt8]) {
        buffer = bytes
        end = bytes.count
        source = nil
        sourceExhausted = true
    }

    /// Scans a document pulled from `source` through a window of `bufferSize` bytes.
    init(source: any ByteSource, bufferSize: Int = JSONScanner.streamBufferSize) {
        buffer = [UInt8](repeating: 0, count: max(bufferSize, 16))
        end = 0
        self.source = source
        sourceExhausted = false
    }

    /// Bytes taken from the source so far (or the document size).
    var bytesRead: Int { base + end }

    // MARK: - Reading bytes

    /// The byte under the cursor, or nil at the end of input. Refills the window when needed.
    @inline(__always)
    mutating func peek() throws(JSONParseError) -> UInt8? {
        if pos < end { return buffer[pos] }
        return try peekAfterRefill()
    }

    private mutating func peekAfterRefill() throws(JSONParseError) -> UInt8? {
        while pos == end {
            guard try refill() else { return nil }
        }
        return buffer[pos]
    }

    /// Replaces the (fully consumed) window with the next bytes of the source. False at the end of input.
    mutating func refill() throws(JSONParseError) -> Bool {
        guard !sourceExhausted, var src = source else { return false }
        if captureActive {
            captured.append(contentsOf: buffer[captureStart..<end])
            captureStart = 0
            if captured.count > captureLimit { throw elementTooLarge() }
        }
        if runActive {
            tokenBytes.append(contentsOf: buffer[runStart..<end])
            runStart = 0
        }
        base += end
        pos = 0
        end = 0
        source = nil
        let n: Int
        do {
            n = try buffer.withUnsafeMutableBytes { try src.read(into: $0) }
        } catch {
            source = src
            sourceExhausted = true
            sourceError = error
            throw self.error("read error: \(error)")
        }
        source = src
        guard n > 0, n <= buffer.count else {
            sourceExhausted = true
            return false
        }
        end = n
        return true
    }

    /// Skips JSON white space (space, tab, CR, LF), counting lines.
    @inline(__always)
    mutating func skipWhitespace() throws(JSONParseError) {
        if pos < end && buffer[pos] > 0x20 { return }
        try skipWhitespaceLoop()
    }

    private mutating func skipWhitespaceLoop() throws(JSONParseError) {
        while true {
            if pos == end {
                guard try refill() else { return }
            }
            // Fast path: runs of spaces, tabs and CRs (indentation).
            pos = buffer.withUnsafeBufferPointer { bytes in
                var i = pos
                while i < end, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D { i += 1 }
                return i
            }
            if pos == end { continue }
            switch buffer[pos] {
            case 0x0A:
                pos += 1
                line += 1
                lineStart = base + pos
                lineExtraBytes = 0
            default:
                return
            }
        }
    }

    /// Skips a UTF-8 byte order mark at the very start (RFC 8259 §8.1 allows ignoring it).
    mutating func skipByteOrderMark() throws(JSONParseError) {
        guard base + pos == 0, try peek() == 0xEF else { return }
        pos += 1
        for expected: UInt8 in [0xBB, 0xBF] {
            guard let b = try peek() else { throw endOfInput() }
            guard b == expected else { throw error("invalid byte order mark") }
            pos += 1
        }
        lineStart = base + pos
    }

    // MARK: - Element capture

    mutating func beginCapture(limit: Int) {
        captured.removeAll(keepingCapacity: true)
        captureActive = true
        captureStart = pos
        captureLimit = limit
        captureLine = line
        captureColumn = column
    }

    /// Ends the capture; `captured` then holds the element's exact source bytes.
    mutating func endCapture() throws(JSONParseError) {
        captured.append(contentsOf: buffer[captureStart..<pos])
        captureActive = false
        if captured.count > captureLimit { throw elementTooLarge() }
    }

    private func elementTooLarge() -> JSONParseError {
        JSONParseError(
            line: captureLine, column: captureColumn,
            message: "array element larger than \(captureLimit) bytes")
    }

    // MARK: - Errors

    /// 1-based column of the cursor, in Unicode scalars.
    var column: Int { base + pos - lineStart - lineExtraBytes + 1 }

    func error(_ message: String) -> JSONParseError {
        JSONParseError(line: line, column: column, message: message)
    }

    func endOfInput() -> JSONParseError {
        error("unexpected end of input")
    }

    /// `'<'` for printable ASCII, `byte 0xC3` otherwise.
    static func describe(_ byte: UInt8) -> String {
        if byte > 0x20 && byte < 0x7F {
            return "'" + String(UnicodeScalar(byte)) + "'"
        }
        return "byte " + hex(byte)
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return "0x" + String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
    }
}
