import Testing

@testable import JCMCore

private func jsonError(_ text: String) -> JSONParseError? {
    do {
        _ = try JSON.parse(text)
        return nil
    } catch {
        return error
    }
}

private func jsonError(bytes: [UInt8]) -> JSONParseError? {
    do {
        _ = try JSON.parse(bytes)
        return nil
    } catch {
        return error
    }
}

/// Hands out 1–7 bytes per read (pseudo-random) so tokens straddle refills.
private struct TrickleSource: ByteSource {
    var bytes: [UInt8]
    var offset = 0
    var seed: UInt64

    init(_ text: String, seed: UInt64 = 12345) {
        bytes = Array(text.utf8)
        self.seed = seed
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let n = min(Int(seed >> 33) % 7 + 1, buffer.count, bytes.count - offset)
        guard n > 0 else { return 0 }
        for i in 0..<n { buffer[i] = bytes[offset + i] }
        offset += n
        return n
    }
}

/// Sends the start of a report, then fails.
private struct BrokenSource: ByteSource {
    struct Failure: Error {}
    var sent = false

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if sent { throw Failure() }
        sent = true
        let head = Array("{\"readings\": [1, ".utf8)
        for i in head.indices { buffer[i] = head[i] }
        return head.count
    }
}

private struct StreamedElement {
    var value: JSONValue
    var line: Int
    var text: String
}

private func streamAll<S: ByteSource>(
    _ source: S, arrayKey: String = "readings",
    maxElementBytes: Int = 1 << 20
) -> ([StreamedElement], (any Error)?) {
    var reader = JSONReportReader(source: source, arrayKey: arrayKey, maxElementBytes: maxElementBytes)
    var elements: [StreamedElement] = []
    do {
        while let (value, line) = try reader.next() {
            elements.append(StreamedElement(value: value, line: line, text: reader.lastElementText))
        }
        return (elements, nil)
    } catch {
        return (elements, error)
    }
}

private func streamError(_ text: String, arrayKey: String = "readings", maxElementBytes: Int = 1 << 20)
    -> JSONParseError?
{
    streamAll(TrickleSource(text), arrayKey: arrayKey, maxElementBytes: maxElementBytes).1 as? JSONParseError
}

private let sampleReport = """
    {"source": "site-7", "meta": {"nested": [1, {"x": "y\\u00e9"}], "n": -1.5e3},
     "readings": [
      {"meter_id": "m1", "value": 12345.678, "unit": "Wh"},
      {"meter_id": "m2", "value": "1e3",
       "note": "multi\\nline \\ud83d\\ude00 é"},
      [1,2,3],
      42
     ],
     "trailer": {"count": 4}, "readings": "ignored"}

    """

@Suite struct JSONParserTests {
    @Test func scalarsAndContainers() throws {
        let v = try JSON.parse(
            #"{"a": null, "b": true, "c": false, "n": 12345.678, "e": 1e3, "s": "hi", "arr": [1, -0, 2.5E-3], "o": {}}"#
        )
        #expect(v["a"] == .null)
        #expect(v["b"] == .bool(true))
        #expect(v["c"] == .bool(false))
        #expect(v["s"] == .string("hi"))
        #expect(v["arr"] == .array([.number("1"), .number("-0"), .number("2.5E-3")]))
        #expect(v["o"] == .object(JSONObject()))
        let object = try #require(v.objectValue)
        #expect(object.keys == ["a", "b", "c", "n", "e", "s", "arr", "o"])
        #expect(try JSON.parse(" \r\n\t[ ] ") == .array([]))
        #expect(try JSON.parse("\u{FEFF}{}") == .object(JSONObject()))
    }

    @Test func numbersKeepTheirLiteralText() throws {
        let v = try JSON.parse(#"{"n": 12345.678, "e": 1e3}"#)
        #expect(v["n"] == .number("12345.678"))
        #expect(v["n"]?.numberLiteral == "12345.678")
        #expect(v["e"] == .number("1e3"))
        let long = "0.10000000000000000555111512312578270211815834045410156250001"
        #expect(try JSON.parse(long) == .number(long))
        #expect(try JSON.parse("1.0") != JSON.parse("1"))
        for ok in ["0", "-0", "1", "-1", "10", "0.5", "1e3", "1E+3", "1e-3", "-12.5e10"] {
            #expect(try JSON.parse(ok) == .number(ok), "\(ok)")
        }
    }

    @Test func rejectsNonJSONNumbers() {
        for bad in [
            "01", "-01", "+1", ".5", "5.", "1e", "1e+", "-", "NaN", "Infinity", "-Infinity", "0x10", "1.5.3", "00",
        ] {
            #expect(jsonError(bad) != nil, "\(bad)")
        }
        #expect(jsonError("01")?.message == "invalid number: leading zeros are not allowed")
        #expect(jsonError("NaN")?.message == "unexpected 'N' at start of value")
        #expect(jsonError("1.")?.message == "unexpected end of input")
        #expect(jsonError("1.x")?.message == "invalid number: expected a digit after '.', found 'x'")
    }

    @Test func duplicateKeysLastWinsAndEqualityIgnoresOrder() throws {
        let dup = try JSON.parse(#"{"k":1,"j":3,"k":2}"#)
        #expect(dup["k"] == .number("2"))
        #expect(dup.objectValue?.keys == ["k", "j"])
        #expect(try JSON.parse(#"{"a":1,"b":2}"#) == JSON.parse(#"{"b":2,"a":1}"#))
        let big = "{" + (0..<50).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"k7\":\"x\"}"
        let object = try #require(try JSON.parse(big).objectValue)
        #expect(object.count == 50)
        #expect(object["k49"] == .number("49"))
        #expect(object["k7"] == .string("x"))
    }

    @Test func strings() throws {
        #expect(try JSON.parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{C}\n\r\t"))
        #expect(try JSON.parse(#""\u00e9\u20AC\ud83d\ude00""#) == .string("é€😀"))
        #expect(try JSON.parse("\"é€😀\"") == .string("é€😀"))
        #expect(try JSON.parse(#""\u0000""#) == .string("\u{0}"))
    }

    /// RFC 8259 strict: a surrogate escape names a character only as half of a pair.
    @Test func loneSurrogatesAreInvalid() throws {
        #expect(jsonError(#""\ud800""#)?.message == "lone high surrogate \\ud800 in string")
        #expect(jsonError(#""\ude00x""#)?.message == "lone low surrogate \\ude00 in string")
        #expect(jsonError(#""\ud83d\n""#)?.message == "lone high surrogate \\ud83d in string")
        #expect(jsonError(#""\ud83d\ud83d\ude00""#)?.message == "lone high surrogate \\ud83d in string")
        #expect(jsonError(#"{"a": "\ud800"}"#) != nil)
        #expect(try JSON.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test func badStrings() {
        #expect(jsonError("\"a\nb\"")?.message == "unescaped line break in string (unterminated string?)")
        #expect(jsonError("\"a\u{1}b\"")?.message == "unescaped control character 0x01 in string")
        #expect(jsonError(#""\x""#)?.message == "invalid escape \\x in string")
        #expect(jsonError(#""\u12G4""#)?.message == "invalid \\u escape: expected 4 hex digits, found 'G'")
        #expect(jsonError("\"abc")?.message == "unexpected end of input")
        #expect(jsonError(bytes: [0x22, 0xC3, 0x28, 0x22])?.message == "invalid UTF-8 in string (byte 0x28)")
        #expect(jsonError(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22]) != nil)  // encoded surrogate
        #expect(jsonError(bytes: [0x22, 0xC0, 0xAF, 0x22]) != nil)  // overlong
        #expect(jsonError(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22]) != nil)  // above U+10FFFF
        #expect(jsonError(bytes: [0x22, 0xE2, 0x82])?.message == "unexpected end of input")
    }

    @Test func errorsCarryLineAndColumn() {
        #expect(
            jsonError("<!DOCTYPE html><html></html>")
                == JSONParseError(line: 1, column: 1, message: "unexpected '<' at start of value"))
        #expect(jsonError("{\"a\": [1, 2") == JSONParseError(line: 1, column: 12, message: "unexpected end of input"))
        #expect(
            jsonError("") == JSONParseError(line: 1, column: 1, message: "unexpected end of input (empty document)"))
        #expect(
            jsonError("{\n  \"a\": 1,\n  \"b\" 2\n}")
                == JSONParseError(line: 3, column: 7, message: "expected ':' after object key, found '2'"))
        #expect(jsonError("{\"é€\": x}")?.column == 8)  // columns count characters, not bytes
        #expect(jsonError("tru") == JSONParseError(line: 1, column: 4, message: "unexpected end of input"))
        #expect(jsonError("trUe")?.message == "invalid literal: expected 'true', found 'U'")
        #expect(jsonError("[1,]")?.message == "trailing comma before ']'")
        #expect(jsonError("{\"a\":1,}")?.message == "trailing comma before '}'")
        #expect(jsonError("[1 2]")?.message == "expected ',' or ']' after array element, found '2'")
        #expect(jsonError("{1:2}")?.message == "expected a string key, found '1'")
        #expect(jsonError("[1] x")?.message == "unexpected 'x' after end of document")
        #expect(JSONParseError(line: 3, column: 7, message: "m").description == "line 3, column 7: m")
    }

    @Test func depthLimit() {
        #expect(jsonError(String(repeating: "[", count: 512) + String(repeating: "]", count: 512)) == nil)
        #expect(
            jsonError(String(repeating: "[", count: 513) + String(repeating: "]", count: 513))?.message
                == "nesting deeper than 512 levels")
        #expect(jsonError(String(repeating: "[{\"a\":", count: 100_000))?.message == "nesting deeper than 512 levels")
    }

    @Test func compactText() throws {
        let text = #"{"a": null, "b": true, "n": 12345.678, "e": 1e3, "arr": [1, -0, 2.5E-3], "o": {}}"#
        let v = try JSON.parse(text)
        #expect(v.compactText == #"{"a":null,"b":true,"n":12345.678,"e":1e3,"arr":[1,-0,2.5E-3],"o":{}}"#)
        #expect(try JSON.parse(v.compactText) == v)
        let s = try JSON.parse(#"["a\"b\u0001é\n"]"#)
        #expect(s.compactText == "[\"a\\\"b\\u0001é\\n\"]")
    }
}

@Suite struct JSONPathTests {
    let document: JSONValue

    init() throws {
        document = try JSON.parse(
            #"""
            {"energy": {"total_wh": 12345.678}, "emeters": [{"total": 1}, {"total": 2.50}],
             "Body": {"Data": [7]}, "a": {"x.y": {"b": "deep"}, "q\"k": 1}, "arr": [[1,2],[3]]}
            """#)
    }

    @Test func dottedPaths() {
        #expect(document.value(at: "energy.total_wh") == .number("12345.678"))
        #expect(document.value(at: "emeters.1.total") == .number("2.50"))
        #expect(document.value(at: "Body.Data.0") == .number("7"))
        #expect(document.value(at: "arr.0.1") == .number("2"))
        #expect(document.value(at: "") == document)
    }

    @Test func bracketedKeys() {
        #expect(document.value(at: #"a["x.y"].b"#) == .string("deep"))
        #expect(document.value(at: #"a["x.y"]["b"]"#) == .string("deep"))
        #expect(document.value(at: #"a["q\"k"]"#) == .number("1"))
        #expect(document.value(at: "arr[1][0]") == .number("3"))
    }

    @Test func missingOrMalformedPathsGiveNil() {
        for path in [
            "energy.nope", "emeters.2.total", "emeters.-1", "emeters.x", "energy.total_wh.x", "a..b", "a.", ".a",
            "a[\"x", "a[x]", #"a["x.y"]b"#, ".", "..", "energy..total_wh", "energy.total_wh.",
        ] {
            #expect(document.value(at: path) == nil, "\(path)")
        }
    }
}

@Suite struct JSONReportReaderTests {
    @Test(arguments: [false, true])
    func streamsElementsWithLinesAndRawText(trickle: Bool) throws {
        let (elements, error) = trickle ? streamAll(TrickleSource(sampleReport)) : streamAll(MemorySource(sampleReport))
        #expect(error == nil)
        try #require(elements.count == 4)
        #expect(elements[0].value["value"] == .number("12345.678"))
        #expect(elements[0].line == 3)
        #expect(elements[0].text == #"{"meter_id": "m1", "value": 12345.678, "unit": "Wh"}"#)
        #expect(elements[1].line == 4)
        #expect(elements[1].value["note"] == .string("multi\nline 😀 é"))
        #expect(
            elements[1].text
                == "{\"meter_id\": \"m2\", \"value\": \"1e3\",\n   \"note\": \"multi\\nline \\ud83d\\ude00 é\"}")
        #expect(elements[2].value == .array([.number("1"), .number("2"), .number("3")]))
        #expect(elements[2].line == 6)
        #expect(elements[3].value == .number("42"))
        #expect(elements[3].text == "42")
        #expect(elements[3].line == 7)
    }

    @Test func tinyReadsMatchWholeParse() throws {
        var doc = "{\"h\": \"x\", \"readings\": ["
        for i in 0..<200 {
            if i > 0 { doc += ",\n" }
            doc +=
                "{\"id\": \(i), \"v\": \(i).\(i % 7)e-\(i % 3), \"s\": \"\\u00e9\\ud83d\\ude00 é😀 \\\"q\\\" \(i)\", \"t\": [true, false, null]}"
        }
        doc += "]}"
        let expected = try #require(try JSON.parse(doc)["readings"]?.arrayValue)
        for seed in UInt64(1)...8 {
            let (elements, error) = streamAll(TrickleSource(doc, seed: seed))
            #expect(error == nil)
            #expect(elements.map(\.value) == expected)
            #expect(elements.map(\.line) == Array(1...200))
            #expect(elements.allSatisfy { (try? JSON.parse($0.text)) == $0.value })
        }
    }

    @Test func reportsBadDocuments() {
        #expect(
            streamError("<html><body>502</body></html>")
                == JSONParseError(line: 1, column: 1, message: "unexpected '<' at start of value"))
        #expect(streamError("[1,2]")?.message == "the top level of a report must be a JSON object, found '['")
        #expect(streamError("{\"other\": [1]}") == JSONParseError(line: 1, column: 1, message: "no \"readings\" array"))
        #expect(streamError("{\"readings\": 5}")?.message == "\"readings\" is not an array")
        #expect(streamError("")?.message == "unexpected end of input (empty document)")
        #expect(streamError("{\"readings\": [1,]}")?.message == "trailing comma before ']'")
        #expect(streamError("{\"readings\": [1 2]}")?.message == "expected ',' or ']' after array element, found '2'")
        #expect(streamError("{\"readings\": [1]} junk")?.message == "unexpected 'j' after end of document")
        #expect(streamError("{\"x\": tru, \"readings\": []}")?.message == "invalid literal: expected 'true', found ','")
        #expect(streamError("{\"data\": [1]}", arrayKey: "data") == nil)
    }

    @Test func errorsAfterSomeElements() {
        let (truncated, truncatedError) = streamAll(TrickleSource("{\"readings\": [\n{\"a\": 1},\n{\"a\": 2"))
        #expect(truncated.count == 1)
        #expect(
            truncatedError as? JSONParseError == JSONParseError(line: 3, column: 8, message: "unexpected end of input"))

        let (bad, badError) = streamAll(TrickleSource("{\"readings\": [\n{\"a\": 1},\n{\"a\": 01}]}"))
        #expect(bad.count == 1)
        #expect(
            badError as? JSONParseError
                == JSONParseError(line: 3, column: 8, message: "invalid number: leading zeros are not allowed"))

        // The rest of the document is still checked after the array.
        let (after, afterError) = streamAll(TrickleSource("{\"readings\": [1], \"x\": [1,}"))
        #expect(after.count == 1)
        #expect((afterError as? JSONParseError)?.message == "unexpected '}' at start of value")
    }

    @Test func elementSizeLimit() {
        let big = "{\"readings\": [\"" + String(repeating: "a", count: 1000) + "\", 1]}"
        #expect(
            streamError(big, maxElementBytes: 100)
                == JSONParseError(line: 1, column: 15, message: "array element larger than 100 bytes"))
        #expect(streamError("{\"readings\": [\"abc\"]}", maxElementBytes: 5) == nil)
        #expect(
            streamError("{\"readings\": [\"abcd\"]}", maxElementBytes: 5)?.message
                == "array element larger than 5 bytes")
    }

    @Test func endIsStickyAndSourceErrorsPassThrough() throws {
        var reader = JSONReportReader(source: MemorySource("{\"readings\": []}"))
        #expect(try reader.next() == nil)
        #expect(try reader.next() == nil)
        #expect(reader.sourceBytesRead == 16)

        var broken = JSONReportReader(source: BrokenSource())
        #expect(try broken.next()?.value == .number("1"))
        #expect(throws: BrokenSource.Failure.self) { try broken.next() }
        #expect(throws: BrokenSource.Failure.self) { try broken.next() }
    }
}
