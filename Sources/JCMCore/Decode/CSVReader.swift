/// A CSV (RFC 4180) reader that streams: it holds one buffer and one record, never the file.
/// Accepts LF and CRLF, quoted fields with doubled quotes and embedded newlines, a UTF-8 BOM,
/// and skips blank lines. Refuses NUL bytes (binary data) and records over `maxRecordBytes`.
public struct CSVReader<Source: ByteSource> {
    public struct Failure: Error, Equatable, Sendable {
        public var line: Int
        public var message: String
    }

    private var source: Source
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEOF = false
    private var startedFile = false
    /// The file starts as a zip archive does (an .xlsx): CSVReader+Binary.swift.
    private var startsWithZip = false
    /// The byte between fields (CSVDialect).
    public var delimiter = UInt8(ascii: ",")
    private let maxRecordBytes: Int

    private var fieldBytes: [UInt8] = []
    private var fieldEnds: [Int] = []
    private var rawBytes: [UInt8] = []

    /// Line where the record last returned starts (1-based).
    public private(set) var line = 0
    private var nextLine = 1
    /// Bytes consumed from the source so far, for progress.
    public private(set) var bytesRead = 0

    public init(source: Source, maxRecordBytes: Int = 1 << 20, bufferSize: Int = 1 << 18) {
        self.source = source
        self.buffer = [UInt8](repeating: 0, count: max(bufferSize, 4))  // room for a byte order mark
        self.maxRecordBytes = maxRecordBytes
    }

    /// The record exactly as it stood in the file, without its line ending.
    public var rawRecord: String { String(decoding: rawBytes, as: UTF8.self) }

    public var fieldCount: Int { fieldEnds.count }

    /// The same as `rawRecord` and `field(_:)`, for a file in another encoding (TextEncoding).
    public func rawRecord(_ encoding: TextEncoding) -> String { encoding.decode(rawBytes) }
    public func field(_ i: Int, _ encoding: TextEncoding) -> String {
        encoding.decode(fieldBytes[(i == 0 ? 0 : fieldEnds[i - 1])..<fieldEnds[i]])
    }

    /// The first byte of the record that is not UTF-8, and where (0-based), if any: an ASCII
    /// record is passed over at one comparison a byte.
    public var firstInvalidUTF8: (offset: Int, byte: UInt8)? {
        guard rawBytes.contains(where: { $0 >= 0x80 }) else { return nil }
        var iterator = rawBytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): offset += UTF8.width(s)
            case .emptyInput: return nil
            case .error: return (offset, rawBytes[offset])
            }
        }
    }

    public func field(_ i: Int) -> String {
        let from = i == 0 ? 0 : fieldEnds[i - 1]
        return String(decoding: fieldBytes[from..<fieldEnds[i]], as: UTF8.self)
    }

    public var fields: [String] { (0..<fieldEnds.count).map(field) }

    private mutating func refill() throws -> Bool {
        if atEOF { return false }
        let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        start = 0
        end = n
        bytesRead += n
        if n == 0 { atEOF = true }
        return n > 0
    }

    /// Reads the next record; false at the end of the input.
    public mutating func next() throws(Failure) -> Bool {
        do {
            return try readRecord()
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(line: nextLine, message: "read failed: \(error)")
        }
    }

    /// A UTF-8 byte order mark, as spreadsheet programs write it, is not data. Reads until the
    /// first three bytes are in the buffer (a source may hand them over one at a time).
    private mutating func skipByteOrderMark() throws {
        startedFile = true
        while end < 4 {
            let n = try buffer.withUnsafeMutableBytes {
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[end...]))
            }
            if n == 0 {
                atEOF = true
                break
            }
            end += n
            bytesRead += n
        }
        if end >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
        startsWithZip = end >= 4 && buffer[0] == 0x50 && buffer[1] == 0x4B && buffer[2] == 0x03 && buffer[3] == 0x04
    }

    private mutating func readRecord() throws -> Bool {
        if !startedFile { try skipByteOrderMark() }
        while true {
            fieldBytes.removeAll(keepingCapacity: true)
            fieldEnds.removeAll(keepingCapacity: true)
            rawBytes.removeAll(keepingCapacity: true)
            line = nextLine
            var inQuotes = false
            var quoteClosed = false
            var sawAny = false
            var lastWasCR = false
            recordLoop: while true {
                if start == end {
                    guard try refill() else { break recordLoop }
                    continue
                }
                let b = buffer[start]
                start += 1
                if b == 0 { throw Failure(line: nextLine, message: Self.binaryMessage(startsWithZip: startsWithZip)) }
                if b == UInt8(ascii: "\n") {
                    nextLine += 1
                    if !inQuotes { break recordLoop }
                }
                if rawBytes.count >= maxRecordBytes {
                    throw Failure(line: line, message: "record longer than \(maxRecordBytes) bytes")
                }
                sawAny = true
                rawBytes.append(b)
                if inQuotes {
                    if b == UInt8(ascii: "\"") {
                        if start == end, !(try refill()) {
                            inQuotes = false
                            quoteClosed = true
                            continue
                        }
                        if buffer[start] == UInt8(ascii: "\"") {
                            fieldBytes.append(b)
                            rawBytes.append(b)
                            start += 1
                        } else {
                            inQuotes = false
                            quoteClosed = true
                        }
                    } else {
                        fieldBytes.append(b)
                    }
                    continue
                }
                // A CR not followed by LF is data.
                if lastWasCR, b != UInt8(ascii: "\r") { fieldBytes.append(UInt8(ascii: "\r")) }
                switch b {
                case delimiter:
                    fieldEnds.append(fieldBytes.count)
                    quoteClosed = false
                case UInt8(ascii: "\""):
                    let fieldStart = fieldEnds.last ?? 0
                    guard fieldBytes.count == fieldStart, !quoteClosed else {
                        throw Failure(line: line, message: "quote inside an unquoted field")
                    }
                    inQuotes = true
                case UInt8(ascii: "\r"):
                    if lastWasCR { fieldBytes.append(b) }
                    lastWasCR = true
                    continue
                default:
                    if quoteClosed { throw Failure(line: line, message: "text after a closing quote") }
                    fieldBytes.append(b)
                }
                lastWasCR = false
            }
            if inQuotes { throw Failure(line: line, message: "unterminated quoted field") }
            if !sawAny || (rawBytes.allSatisfy { $0 == UInt8(ascii: "\r") } && fieldEnds.isEmpty) {
                if atEOF && start == end { return false }
                continue
            }
            if rawBytes.last == UInt8(ascii: "\r") { rawBytes.removeLast() }
            fieldEnds.append(fieldBytes.count)
            return true
        }
    }
}
