import Testing

@testable import JCMCore

private typealias Mapping = Config.JSONMapping

private func decode(_ body: String, _ mapping: Mapping, meter: String = "M1") -> Result<
    RawReading, JSONMeterDecoder.Failure
> {
    JSONMeterDecoder.decode(Array(body.utf8), mapping: mapping, meterID: meter)
}

private func success(_ body: String, _ mapping: Mapping, sourceLocation: SourceLocation = #_sourceLocation) throws
    -> RawReading
{
    switch decode(body, mapping) {
    case .success(let r): return r
    case .failure(let f):
        Issue.record("unexpected failure \(f.reason): \(f.detail)", sourceLocation: sourceLocation)
        throw f
    }
}

private func failure(_ body: String, _ mapping: Mapping) -> JSONMeterDecoder.Failure? {
    if case .failure(let f) = decode(body, mapping) { return f }
    return nil
}

@Suite struct JSONMeterDecoderTests {
    @Test func valueUnitAndRFC3339Timestamp() throws {
        let body = #"{"energy": {"total_wh": 123456.50, "power_w": 812}, "ts": "2025-11-26T10:15:30+05:30"}"#
        let r = try success(body, Mapping(value: "energy.total_wh", unit: "Wh", timestamp: "ts"))
        #expect(
            r
                == RawReading(
                    meterID: "M1", timestamp: "2025-11-26T10:15:30+05:30", value: "123456.50", unit: "Wh",
                    extra: nil, location: "M1", raw: body))
    }

    @Test func withoutUnitOrTimestampMappingsThoseStayNil() throws {
        let r = try success(#"{"v": 1}"#, Mapping(value: "v"))
        #expect(r.unit == nil)
        #expect(r.timestamp == nil)
        #expect(r.value == "1")
    }

    @Test func numericStringValueIsKeptAsText() throws {
        #expect(try success(#"{"v": "12.50"}"#, Mapping(value: "v")).value == "12.50")
        // Whether the text is a number is the validator's business, not the decoder's.
        #expect(try success(#"{"v": "n/a"}"#, Mapping(value: "v")).value == "n/a")
    }

    @Test func pathsThroughArraysAndQuotedKeys() throws {
        let body = #"{"emeters": [{"total": 1}, {"total": 2.5}], "a.b": {"c": "3"}}"#
        #expect(try success(body, Mapping(value: "emeters.1.total")).value == "2.5")
        #expect(try success(body, Mapping(value: "emeters[0].total")).value == "1")
        #expect(try success(body, Mapping(value: #"["a.b"].c"#)).value == "3")
    }

    @Test func unitFromAPath() throws {
        let r = try success(
            #"{"v": 1, "meta": {"unit": "kWh"}}"#, Mapping(value: "v", unit: "Wh", unitPath: "meta.unit"))
        #expect(r.unit == "kWh")
    }

    @Test(arguments: [#"{"v": 1}"#, #"{"v": 1, "u": 5}"#, #"{"v": 1, "u": null}"#, #"{"v": 1, "u": ["kWh"]}"#])
    func unitPathWithoutAString(_ body: String) {
        let f = failure(body, Mapping(value: "v", unitPath: "u"))
        #expect(f == JSONMeterDecoder.Failure(reason: .missingField, detail: #"no unit string at path "u""#))
    }

    @Test(arguments: [
        ("1764152130", "2025-11-26T10:15:30Z"),
        ("1764152130.25", "2025-11-26T10:15:30.25Z"),
        ("1764152130.1234567", "2025-11-26T10:15:30.123456Z"),
        ("1.76415213e9", "2025-11-26T10:15:30Z"),
        ("1764152130000e-3", "2025-11-26T10:15:30Z"),
        ("0", "1970-01-01T00:00:00Z"),
        ("-86400", "1969-12-31T00:00:00Z"),
    ])
    func epochSecondsTimestamp(_ literal: String, _ expected: String) throws {
        let r = try success(#"{"v": 1, "t": \#(literal)}"#, Mapping(value: "v", timestamp: "t"))
        #expect(r.timestamp == expected)
    }

    @Test(arguments: ["1e30", "-1e30", "9223372036855"])
    func epochSecondsOutOfRange(_ literal: String) {
        let f = failure(#"{"v": 1, "t": \#(literal)}"#, Mapping(value: "v", timestamp: "t"))
        #expect(
            f
                == JSONMeterDecoder.Failure(
                    reason: .timestampInvalid, detail: "epoch seconds \(literal) at path \"t\" out of range"))
    }

    @Test(arguments: [#"{"v": 1}"#, #"{"v": 1, "t": null}"#, #"{"v": 1, "t": true}"#, #"{"v": 1, "t": {"s": 1}}"#])
    func timestampPathMissing(_ body: String) {
        let f = failure(body, Mapping(value: "v", timestamp: "t"))
        #expect(f == JSONMeterDecoder.Failure(reason: .missingField, detail: #"no timestamp at path "t""#))
    }

    @Test(
        arguments: [
            #"{"energy": {"power_w": 5}}"#, #"{"energy": 5}"#, #"{}"#, #"[1, 2]"#, #"{"energy": {"total_wh": []}}"#,
        ] as [String])
    func missingPathNamesIt(_ body: String) {
        let mapping = Mapping(value: "energy.total_wh")
        if body.contains("[]") {
            // An empty array is there, just not a number.
            #expect(failure(body, mapping)?.reason == .valueNotNumeric)
        } else {
            #expect(
                failure(body, mapping)
                    == JSONMeterDecoder.Failure(reason: .missingField, detail: #"no value at path "energy.total_wh""#))
        }
    }

    @Test func nullValue() {
        #expect(
            failure(#"{"energy": {"total_wh": null}}"#, Mapping(value: "energy.total_wh"))
                == JSONMeterDecoder.Failure(reason: .missingField, detail: #"value at path "energy.total_wh" is null"#))
    }

    @Test(arguments: [
        (#"{"v": {"a": 1, "b": [true]}}"#, #"{"a":1,"b":[true]}"#),
        (#"{"v": true}"#, "true"),
        (#"{"v": [1, 2]}"#, "[1,2]"),
    ])
    func nonNumberValue(_ body: String, _ shown: String) {
        #expect(
            failure(body, Mapping(value: "v"))
                == JSONMeterDecoder.Failure(
                    reason: .valueNotNumeric, detail: "value at path \"v\" is \(shown), not a number"))
    }

    @Test(arguments: [
        "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
        #"{"energy": {"total_wh": 12"#,
        #"{"energy": {"total_wh": 12}"#,
        #"{"v": 1} trailing"#,
        "",
        "   ",
        "OK",
        #"{"v": NaN}"#,
    ])
    func payloadThatIsNotJSON(_ body: String) {
        let f = failure(body, Mapping(value: "v"))
        #expect(f?.reason == .payloadInvalid)
        #expect(f?.detail.hasPrefix("response is not JSON: ") == true)
    }

    @Test func rawIsAnExcerptOfTheBody() throws {
        let padding = String(repeating: "x", count: 5_000)
        let body = #"{"v": 7, "pad": "\#(padding)"}"#
        let r = try success(body, Mapping(value: "v"))
        #expect(r.raw == String(body.prefix(2_000)))
        #expect(r.location == "M1")
        #expect(r.meterID == "M1")
    }
}
