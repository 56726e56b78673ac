import Testing

@testable import JCMCore

private func decodeAll(_ decoder: inout some ReportDecoder) throws(ReportFailure) -> [ReportItem] {
    var items: [ReportItem] = []
    while let item = try decoder.next() {
        items.append(item)
        if items.count > 10_000 { break }
    }
    return items
}

private func csv(_ text: String, file: String = "r.csv") throws(ReportFailure) -> [ReportItem] {
    var decoder = CSVReportDecoder(source: MemorySource(text), fileName: file)
    return try decodeAll(&decoder)
}

private func json(_ text: String, file: String = "r.json") throws(ReportFailure) -> [ReportItem] {
    var decoder = JSONReportDecoder(source: MemorySource(text), fileName: file)
    return try decodeAll(&decoder)
}

private func failure(_ body: () throws(ReportFailure) -> [ReportItem]) -> ReportFailure? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

private func reading(_ item: ReportItem?) -> RawReading? {
    if case .reading(let r)? = item { return r }
    return nil
}

@Suite struct CSVReportDecoderTests {
    @Test func headerIsCaseInsensitiveInAnyOrderAndTrimmed() throws {
        let items = try csv("Unit, VALUE ,timestamp,\tMeter_ID\nkWh,12.50,2025-11-26T10:15:30Z,M1\n")
        #expect(
            items == [
                .reading(
                    RawReading(
                        meterID: "M1", timestamp: "2025-11-26T10:15:30Z", value: "12.50", unit: "kWh", extra: nil,
                        location: "r.csv:2", raw: "kWh,12.50,2025-11-26T10:15:30Z,M1"))
            ])
    }

    @Test func fieldsAreKeptVerbatim() throws {
        let items = try csv("meter_id,timestamp,value,unit\n M1 ,2025-11-26 10:15, 1e3 ,\n")
        let r = try #require(reading(items.first))
        #expect(r.meterID == " M1 ")
        #expect(r.timestamp == "2025-11-26 10:15")
        #expect(r.value == " 1e3 ")
        #expect(r.unit == "")
    }

    @Test(arguments: [
        ("meter_id,timestamp,value\n", "header lacks column unit (needs meter_id,timestamp,value,unit)"),
        ("timestamp,value,unit\n", "header lacks column meter_id (needs meter_id,timestamp,value,unit)"),
        ("meter_id,value\nM1,1\n", "header lacks columns timestamp, unit (needs meter_id,timestamp,value,unit)"),
        (
            "meter,time,val,units\n",
            "header lacks columns meter_id, timestamp, value, unit (needs meter_id,timestamp,value,unit)"
        ),
        ("meter_id,timestamp,value,unit,Value\n", "column \"value\" appears twice in the header"),
        ("meter_id,timestamp,value,unit,site,SITE\n", "column \"site\" appears twice in the header"),
    ])
    func badHeaders(_ text: String, _ message: String) {
        #expect(failure { () throws(ReportFailure) in try csv(text) } == ReportFailure(line: 1, message: message))
    }

    @Test func headerLineSkipsLeadingBlankLines() {
        let f = failure { () throws(ReportFailure) in try csv("\n\nmeter_id,value\n") }
        #expect(f?.line == 3)
    }

    @Test(arguments: ["", "\n\n", "\r\n"])
    func emptyFile(_ text: String) {
        #expect(
            failure { () throws(ReportFailure) in try csv(text) }
                == ReportFailure(line: 1, message: "empty file: no header line"))
    }

    @Test func headerOnlyYieldsNothing() throws {
        #expect(try csv("meter_id,timestamp,value,unit\n").isEmpty)
        #expect(try csv("\u{FEFF}meter_id,timestamp,value,unit").isEmpty)
    }

    @Test func byteOrderMarkBeforeTheHeader() throws {
        let items = try csv("\u{FEFF}meter_id,timestamp,value,unit\r\nM1,2025-11-26T10:15:30Z,1,kWh\r\n")
        #expect(reading(items.first)?.meterID == "M1")
    }

    @Test func extraColumnsBecomeAJSONObject() throws {
        let text =
            "meter_id,Site,timestamp,value,unit,note\nM1,Pune,2025-11-26T10:15:30Z,1,kWh,\"say \"\"hi\"\"\\now\"\n"
        let r = try #require(reading(try csv(text).first))
        let extra = try #require(r.extra)
        #expect(extra == #"{"site":"Pune","note":"say \"hi\"\\now"}"#)
        // It is valid JSON, and gives back the fields exactly.
        let parsed = try JSON.parse(extra)
        #expect(parsed["site"] == .string("Pune"))
        #expect(parsed["note"] == .string(#"say "hi"\now"#))
    }

    @Test func extraControlCharactersAreEscaped() throws {
        let text = "meter_id,timestamp,value,unit,note\nM1,t,1,kWh,\"a\nb\tc\u{1}\"\n"
        let extra = try #require(reading(try csv(text).first)?.extra)
        #expect(extra == #"{"note":"a\nb\tc\u0001"}"#)
        #expect(try JSON.parse(extra)["note"] == .string("a\nb\tc\u{1}"))
    }

    @Test func noExtraColumnsMeansNilExtra() throws {
        #expect(reading(try csv("meter_id,timestamp,value,unit\nM1,t,1,kWh\n").first)?.extra == nil)
    }

    @Test func wrongFieldCountIsMalformedAndDecodingGoesOn() throws {
        let text = """
            meter_id,timestamp,value,unit
            M1,2025-11-26T10:15:30Z,1,kWh
            M1,2025-11-26T10:16:30Z,2
            M1,2025-11-26T10:17:30Z,3,kWh,extra
            "M1","multi
            line",4,kWh
            M1,2025-11-26T10:18:30Z,5,kWh
            """
        let items = try csv(text, file: "plant.csv")
        #expect(items.count == 5)
        #expect(
            items[1]
                == .malformed(
                    RawReading(
                        meterID: nil, timestamp: nil, value: nil, unit: nil, location: "plant.csv:3",
                        raw: "M1,2025-11-26T10:16:30Z,2"),
                    detail: "3 fields where the header has 4"))
        #expect(
            items[2]
                == .malformed(
                    RawReading(
                        meterID: nil, timestamp: nil, value: nil, unit: nil, location: "plant.csv:4",
                        raw: "M1,2025-11-26T10:17:30Z,3,kWh,extra"),
                    detail: "5 fields where the header has 4"))
        let multi = try #require(reading(items[3]))
        #expect(multi.timestamp == "multi\nline")
        #expect(multi.location == "plant.csv:5")
        #expect(multi.raw == "\"M1\",\"multi\nline\",4,kWh")
        #expect(reading(items[4])?.location == "plant.csv:7")
        #expect(reading(items[4])?.value == "5")
    }

    @Test func brokenSyntaxStopsTheFileWithItsLine() {
        let f = failure { () throws(ReportFailure) in
            try csv("meter_id,timestamp,value,unit\nM1,t,1,kWh\nM1,t,\"2,kWh\n")
        }
        #expect(f == ReportFailure(line: 3, message: "unterminated quoted field"))
        let nul = failure { () throws(ReportFailure) in try csv("meter_id,timestamp,value,unit\nM1,t,1\0,kWh\n") }
        #expect(nul == ReportFailure(line: 2, message: "binary content (NUL byte); not a CSV file"))
        let binary = failure { () throws(ReportFailure) in try csv("\u{0}\u{1}PNG") }
        #expect(binary == ReportFailure(line: 1, message: "binary content (NUL byte); not a CSV file"))
    }

    @Test func bytesReadReachesTheEnd() throws {
        let text = "meter_id,timestamp,value,unit\nM1,t,1,kWh\n"
        var decoder = CSVReportDecoder(source: MemorySource(text), fileName: "r.csv")
        _ = try decodeAll(&decoder)
        #expect(decoder.bytesRead == text.utf8.count)
    }

    @Test func failureDescription() {
        #expect(ReportFailure(line: 3, message: "x").description == "line 3: x")
    }
}

@Suite struct JSONReportDecoderTests {
    static let document = """
        {"source": "logger-7", "readings": [
          {"meter_id": "M1", "timestamp": "2025-11-26T10:15:30Z", "value": 12.50, "unit": "kWh"},
          {"meter_id": "M2", "timestamp": "2025-11-26T10:15:30Z", "value": "7", "unit": "kWh", "site": "Pune", "flags": [1, true, null]},
          42,
          {"meter_id": "M3", "value": null, "unit": null},
          {"meter_id": 17, "timestamp": 1764152130, "value": -1.5e3, "unit": true},
          ["M4", "2025-11-26T10:15:30Z", 1, "kWh"]
        ], "trailer": {"count": 6}}
        """

    @Test func decodesASmallDocument() throws {
        let items = try json(Self.document, file: "logger.json")
        #expect(items.count == 6)
        #expect(
            items[0]
                == .reading(
                    RawReading(
                        meterID: "M1", timestamp: "2025-11-26T10:15:30Z", value: "12.50", unit: "kWh", extra: nil,
                        location: "logger.json:2",
                        raw: #"{"meter_id": "M1", "timestamp": "2025-11-26T10:15:30Z", "value": 12.50, "unit": "kWh"}"#)
                ))

        let second = try #require(reading(items[1]))
        #expect(second.value == "7")
        #expect(second.extra == #"{"site":"Pune","flags":[1,true,null]}"#)
        #expect(second.location == "logger.json:3")

        #expect(
            items[2]
                == .malformed(
                    RawReading(
                        meterID: nil, timestamp: nil, value: nil, unit: nil, location: "logger.json:4", raw: "42"),
                    detail: "a reading must be a JSON object"))

        #expect(
            items[3]
                == .reading(
                    RawReading(
                        meterID: "M3", timestamp: nil, value: nil, unit: nil, extra: nil, location: "logger.json:5",
                        raw: #"{"meter_id": "M3", "value": null, "unit": null}"#)))

        // Scalars of the wrong kind are kept as their text for the validator to judge.
        let fifth = try #require(reading(items[4]))
        #expect(fifth.meterID == "17")
        #expect(fifth.timestamp == "1764152130")
        #expect(fifth.value == "-1.5e3")
        #expect(fifth.unit == "true")

        guard case .malformed(let raw, let detail) = items[5] else {
            Issue.record("an array element must be malformed, got \(items[5])")
            return
        }
        #expect(raw.raw == #"["M4", "2025-11-26T10:15:30Z", 1, "kWh"]"#)
        #expect(raw.location == "logger.json:7")
        #expect(detail == "a reading must be a JSON object")
    }

    @Test func numberValueKeepsItsLiteral() throws {
        for literal in ["12.50", "0.000", "1E+2", "-0", "123456789012345678901234567890.123456789"] {
            let items = try json(#"{"readings": [{"meter_id": "M1", "value": \#(literal)}]}"#)
            #expect(reading(items.first)?.value == literal)
        }
    }

    @Test func emptyArrayYieldsNothing() throws {
        #expect(try json(#"{"readings": []}"#).isEmpty)
    }

    @Test func syntaxErrorIsAFailureWithItsLine() {
        let truncated = failure { () throws(ReportFailure) in
            try json("{\"readings\": [\n{\"meter_id\": \"M1\"},\n{\"meter_id\": ")
        }
        #expect(truncated?.line == 3)
        let bad = failure { () throws(ReportFailure) in try json("{\"readings\": [\n{\"meter_id\": \"M1\",}\n]}") }
        #expect(bad?.line == 2)
    }

    @Test func missingArrayIsAFailure() {
        #expect(failure { () throws(ReportFailure) in try json(#"{"rows": []}"#) } != nil)
        #expect(failure { () throws(ReportFailure) in try json("[]") } != nil)
    }
}

@Suite struct ReportFormatTests {
    @Test(arguments: [
        ("a.json", "meter_id", ReportFormat.json),
        ("A.JSON", "", .json),
        ("x.csv", "{", .csv),
        ("X.CSV", "{\"readings\": []}", .csv),
        ("upload", "{", .json),
        ("upload", "  \r\n\t{", .json),
        ("upload", "\u{FEFF}{", .json),
        ("upload", "\u{FEFF} \n{", .json),
        ("upload", "meter_id,value", .csv),
        ("upload", "", .csv),
        ("upload", "   ", .csv),
        ("data.txt", "[{}]", .csv),
        ("report.json.part", "meter_id", .csv),
    ])
    func detect(_ fileName: String, _ first: String, _ expected: ReportFormat) {
        #expect(ReportFormat.detect(fileName: fileName, firstBytes: Array(first.utf8)) == expected)
    }

    @Test func factoryBuildsTheMatchingDecoder() throws {
        var c = makeReportDecoder(
            .csv, source: MemorySource("meter_id,timestamp,value,unit\nM1,t,1,kWh\n"), fileName: "a")
        #expect(c is CSVReportDecoder<MemorySource>)
        #expect(reading(try c.next())?.meterID == "M1")
        var j = makeReportDecoder(.json, source: MemorySource(#"{"readings": [{"meter_id": "M2"}]}"#), fileName: "b")
        #expect(j is JSONReportDecoder<MemorySource>)
        #expect(reading(try j.next())?.meterID == "M2")
    }
}
