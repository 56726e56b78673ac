import Testing

@testable import JCMCore

/// Hands out the input a few bytes at a time, cycling through `sizes`, like a pipe or a slow socket.
struct ChunkedSource: ByteSource {
    private let bytes: [UInt8]
    private let sizes: [Int]
    private var offset = 0
    private var call = 0

    init(_ bytes: [UInt8], sizes: [Int]) {
        self.bytes = bytes
        self.sizes = sizes
    }

    init(_ text: String, sizes: [Int]) { self.init(Array(text.utf8), sizes: sizes) }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, sizes[call % sizes.count], bytes.count - offset)
        call += 1
        guard n > 0 else { return 0 }
        for k in 0..<n { buffer[k] = bytes[offset + k] }
        offset += n
        return n
    }
}

private struct CSVRecord: Equatable, CustomStringConvertible {
    var line: Int
    var fields: [String]
    var raw: String
    var description: String { "\(line): \(fields) raw=\(raw.debugDescription)" }
}

private func readAll<S: ByteSource>(_ reader: inout CSVReader<S>) -> ([CSVRecord], (line: Int, message: String)?) {
    var records: [CSVRecord] = []
    do {
        while try reader.next() {
            #expect(reader.fieldCount == reader.fields.count)
            records.append(CSVRecord(line: reader.line, fields: reader.fields, raw: reader.rawRecord))
            if records.count > 10_000 { break }
        }
        return (records, nil)
    } catch {
        return (records, (error.line, error.message))
    }
}

private func read(_ text: String, maxRecordBytes: Int = 1 << 20) -> ([CSVRecord], (line: Int, message: String)?) {
    var reader = CSVReader(source: MemorySource(text), maxRecordBytes: maxRecordBytes)
    return readAll(&reader)
}

private func records(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [CSVRecord] {
    let (records, failure) = read(text)
    #expect(failure == nil, "unexpected failure \(String(describing: failure))", sourceLocation: sourceLocation)
    return records
}

private let tricky = #"""
    meter_id,timestamp,value,unit,note\#r
    M1,2025-11-26T10:15:30Z,12.50,kWh,"plain, with comma"\#r
    \#r
    M2,2025-11-26T10:15:30Z,"7","kWh","he said ""hi"""
    "M3",2025-11-26T10:15:30Z,1,kWh,"two
    lines, and ""quotes""
    and a third"

    M4,2025-11-26T10:15:30Z,,kWh,
    "",x,"",y,"a""b"
    """#

@Suite struct CSVReaderTests {
    @Test func simpleRecordsAndLines() {
        #expect(
            records("a,b,c\n1,2,3\n") == [
                CSVRecord(line: 1, fields: ["a", "b", "c"], raw: "a,b,c"),
                CSVRecord(line: 2, fields: ["1", "2", "3"], raw: "1,2,3"),
            ])
    }

    @Test func lastRecordWithoutNewline() {
        #expect(
            records("a,b\nc,d") == [
                CSVRecord(line: 1, fields: ["a", "b"], raw: "a,b"),
                CSVRecord(line: 2, fields: ["c", "d"], raw: "c,d"),
            ])
    }

    @Test func quotedFieldsWithCommasAndDoubledQuotes() {
        #expect(
            records(#""x,y",z,"he said ""hi""","""","""""""# + "\n") == [
                CSVRecord(
                    line: 1, fields: ["x,y", "z", #"he said "hi""#, "\"", "\"\""],
                    raw: #""x,y",z,"he said ""hi""","""","""""""#)
            ])
    }

    @Test func emptyFields() {
        #expect(records(",,\n\"\"\n,\"\"\n").map(\.fields) == [["", "", ""], [""], ["", ""]])
    }

    @Test func embeddedNewlinesCountTowardsLaterLineNumbers() {
        let text = "h1,h2\n\"line1\nline2\",b\nc,d\n\"x\n\ny\",z\ne,f\n"
        #expect(
            records(text) == [
                CSVRecord(line: 1, fields: ["h1", "h2"], raw: "h1,h2"),
                CSVRecord(line: 2, fields: ["line1\nline2", "b"], raw: "\"line1\nline2\",b"),
                CSVRecord(line: 4, fields: ["c", "d"], raw: "c,d"),
                CSVRecord(line: 5, fields: ["x\n\ny", "z"], raw: "\"x\n\ny\",z"),
                CSVRecord(line: 8, fields: ["e", "f"], raw: "e,f"),
            ])
    }

    @Test func crlfLineEndings() {
        #expect(
            records("a,b\r\nc,d\r\n\"q\r\nr\",s\r\nt,u\r\n") == [
                CSVRecord(line: 1, fields: ["a", "b"], raw: "a,b"),
                CSVRecord(line: 2, fields: ["c", "d"], raw: "c,d"),
                CSVRecord(line: 3, fields: ["q\r\nr", "s"], raw: "\"q\r\nr\",s"),
                CSVRecord(line: 5, fields: ["t", "u"], raw: "t,u"),
            ])
    }

    @Test func carriageReturnInsideAFieldIsKept() {
        #expect(records("a\rb,c\n").map(\.fields) == [["a\rb", "c"]])
    }

    @Test func byteOrderMarkIsSkipped() {
        let recs = records("\u{FEFF}meter_id,value\n1,2\n")
        #expect(
            recs == [
                CSVRecord(line: 1, fields: ["meter_id", "value"], raw: "meter_id,value"),
                CSVRecord(line: 2, fields: ["1", "2"], raw: "1,2"),
            ])
    }

    @Test func byteOrderMarkOnlyAtTheStart() {
        // A BOM in the middle of the file is data, not a marker.
        #expect(records("a\n\u{FEFF}b\n").map(\.fields) == [["a"], ["\u{FEFF}b"]])
    }

    @Test func blankLinesAreSkipped() {
        #expect(records("\n\na\n\n\r\n\nb\n\n").map { [String($0.line)] + $0.fields } == [["3", "a"], ["7", "b"]])
        #expect(records("").isEmpty)
        #expect(records("\n\r\n\n").isEmpty)
    }

    @Test func spacesAreData() {
        #expect(records(" a , b \n   \n").map(\.fields) == [[" a ", " b "], ["   "]])
    }

    @Test func nulByteFailsWithItsLine() {
        let (recs, failure) = read("a,b\n\"x\ny\",1\nc,d\0e\nf\n")
        #expect(recs.map(\.line) == [1, 2])
        #expect(failure?.line == 4)
        #expect(failure?.message == "binary content (NUL byte); not a CSV file")
    }

    @Test func nulByteInsideQuotesFailsToo() {
        let (recs, failure) = read("\"a\0\"\n")
        #expect(recs.isEmpty)
        #expect(failure?.line == 1)
        #expect(failure?.message == "binary content (NUL byte); not a CSV file")
    }

    @Test func recordOverTheCapFails() {
        let ten = String(repeating: "x", count: 10)
        let (recs, failure) = read("short\n\(ten)\n\(ten)y\nnever\n", maxRecordBytes: 10)
        #expect(recs.map(\.raw) == ["short", ten])
        #expect(failure?.line == 3)
        #expect(failure?.message == "record longer than 10 bytes")
    }

    @Test func quotedRecordOverTheCapFails() {
        let (recs, failure) = read("\"abc\ndefghijkl\"\n", maxRecordBytes: 8)
        #expect(recs.isEmpty)
        #expect(failure?.line == 1)
        #expect(failure?.message == "record longer than 8 bytes")
    }

    /// Line feeds inside quotes count towards the cap like any other byte: otherwise a quoted field made of
    /// newlines grows without bound.
    @Test func quotedNewlinesCountTowardsTheCap() {
        let text = "\"" + String(repeating: "\n", count: 20) + "\",x\n"
        let (recs, failure) = read(text, maxRecordBytes: 8)
        #expect(recs.isEmpty)
        #expect(failure?.message == "record longer than 8 bytes")
        #expect(failure?.line == 1)
    }

    @Test(arguments: [
        ("a,\"bc\n", 1),
        ("ok\n\"abc\ndef\n", 2),
        ("ok\n\"a\"\"\n", 2),
        ("\"", 1),
    ])
    func unterminatedQuote(_ text: String, _ line: Int) {
        let (_, failure) = read(text)
        #expect(failure?.line == line)
        #expect(failure?.message == "unterminated quoted field")
    }

    @Test(arguments: [
        ("ab\"c\"\n", "quote inside an unquoted field"),
        ("ok\na,b\"\n", "quote inside an unquoted field"),
        ("\"ab\"c\n", "text after a closing quote"),
        ("x,\"ab\" \n", "text after a closing quote"),
    ])
    func strayQuotes(_ text: String, _ message: String) {
        let (_, failure) = read(text)
        #expect(failure?.message == message)
        #expect(
            failure?.line
                == text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("\"") }.map {
                    $0 + 1
                })
    }

    @Test func rawRecordIsTheVerbatimLine() {
        let wellFormed = #"  M1 ,"a ""q"" , b","",x"#
        #expect(records(wellFormed + "\r\n").map(\.raw) == [wellFormed])
        #expect(records(wellFormed).map(\.fields) == [["  M1 ", #"a "q" , b"#, "", "x"]])
    }

    @Test func bytesReadCountsTheWholeInput() {
        let text = "\u{FEFF}a,b\n\"c\nd\",e\n"
        var reader = CSVReader(source: MemorySource(text))
        _ = readAll(&reader)
        #expect(reader.bytesRead == text.utf8.count)
    }

    @Test func emptyAfterEndStaysEmpty() throws {
        var reader = CSVReader(source: MemorySource("a\n"))
        let first = try reader.next()
        let second = try reader.next()
        let third = try reader.next()
        #expect(first && !second && !third)
    }

    /// The same document read through 1-, 2- and 3-byte reads, or a tiny buffer, gives the same records:
    /// quotes and CRLF pairs split across reads must not matter.
    @Test(arguments: [[1], [2], [3], [1, 2, 3], [3, 2, 1], [2, 3, 1], [7], [1, 1, 5]])
    func smallReadsGiveTheSameRecords(_ sizes: [Int]) {
        let reference = records(tricky)
        #expect(reference.count == 6)
        #expect(reference.map(\.line) == [1, 2, 4, 5, 9, 10])
        var reader = CSVReader(source: ChunkedSource(tricky, sizes: sizes))
        let (recs, failure) = readAll(&reader)
        #expect(failure == nil)
        #expect(recs == reference)
    }

    @Test(arguments: [1, 2, 3, 4, 16])
    func tinyBufferGivesTheSameRecords(_ bufferSize: Int) {
        var reader = CSVReader(source: MemorySource(tricky), bufferSize: bufferSize)
        let (recs, failure) = readAll(&reader)
        #expect(failure == nil)
        #expect(recs == records(tricky))
    }

    @Test func trickyDocumentFields() {
        #expect(
            records(tricky).map(\.fields) == [
                ["meter_id", "timestamp", "value", "unit", "note"],
                ["M1", "2025-11-26T10:15:30Z", "12.50", "kWh", "plain, with comma"],
                ["M2", "2025-11-26T10:15:30Z", "7", "kWh", #"he said "hi""#],
                ["M3", "2025-11-26T10:15:30Z", "1", "kWh", "two\nlines, and \"quotes\"\nand a third"],
                ["M4", "2025-11-26T10:15:30Z", "", "kWh", ""],
                ["", "x", "", "y", "a\"b"],
            ])
    }

    /// The BOM must be recognised whatever the size of the source's first read: `ByteSource.read` may
    /// legitimately return fewer bytes than asked for (a pipe, a socket).
    @Test(arguments: [[1], [2], [3], [1, 2, 3], [2, 1]])
    func byteOrderMarkIsSkippedWhateverTheReadSize(_ sizes: [Int]) {
        var reader = CSVReader(source: ChunkedSource("\u{FEFF}meter_id,value\n1,2\n", sizes: sizes))
        let (recs, failure) = readAll(&reader)
        #expect(failure == nil)
        #expect(recs.first?.fields == ["meter_id", "value"])
        #expect(recs.first?.raw == "meter_id,value")
    }
}

@Suite struct CSVByteOrderMarkEdgeTests {
    /// BOM bytes split by a comma are data, not a mark; a marked file may quote its first field.
    @Test func splitMarkIsDataAndQuotedHeaderAfterMarkWorks() throws {
        var split = CSVReader(source: MemorySource([0xEF, 0x2C, 0xBB, 0xBF, 0x0A]))
        #expect(try split.next())
        #expect(split.fieldCount == 2)
        var quoted = CSVReader(source: MemorySource([0xEF, 0xBB, 0xBF] + Array("\"meter_id\",b\n".utf8)))
        #expect(try quoted.next())
        #expect(quoted.fields == ["meter_id", "b"])
    }
}
