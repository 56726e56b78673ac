import JCMCore
import Testing

@Suite("ledger encodings")
struct CanonicalRecordTests {
    @Test(arguments: [
        "0", "0.00", "-0.5", "1200.50", "0.000000000000000000000000000001", "-99999999999999999999999999999999999999",
        "12345678.123456789012345678901234567890".prefix(39).description, "7", "-10",
    ])
    func decimalsAreWrittenAsNumericPrintsThem(_ text: String) throws {
        let d = try #require(ExactDecimal(parsing: text))
        var a = CanonicalRecord(tag: "t")
        var b = CanonicalRecord(tag: "t")
        a.field(d)
        b.field(PostgresText.numeric(d))
        #expect(a.bytes == b.bytes)
        #expect(PostgresText.numeric(d) == text)
    }

    @Test func digestsAreSpelledInLowercaseHexAsPostgresEncodesThem() {
        #expect(LedgerDigest.hex([]) == "")
        #expect(LedgerDigest.hex([0x00, 0x09, 0x0a, 0x0f, 0x10, 0xa5, 0xf0, 0xff]) == "00090a0f10a5f0ff")
        // encode(sha256('abc'), 'hex') in PostgreSQL
        #expect(
            LedgerDigest.hex(LedgerDigest.sha256(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(LedgerDigest.bytes(hex: LedgerDigest.hex(Array(0...255))) == Array(0...255))
    }

    @Test func fieldsAreLengthPrefixedAndNullIsADash() {
        var r = CanonicalRecord(tag: "reading")
        r.field(Int64(-12))
        r.field(nil as String?)
        r.field("☀")
        #expect(String(decoding: r.bytes, as: UTF8.self) == "7:reading3:-12-3:☀")
    }

    @Test(arguments: [
        ("1e2", "100"), ("1.50", "1.50"), ("-0.0", "0.0"), ("1E-3", "0.001"), ("12.5e1", "125"), ("-7", "-7"),
        ("0.0012e2", "0.12"),
    ])
    func jsonNumbersAsJsonbPrintsThem(_ literal: String, _ printed: String) {
        #expect(PostgresText.jsonb("{\"n\": \(literal)}") == "{\"n\": \(printed)}")
    }

    @Test func jsonbOrdersKeysByLengthThenBytesAndKeepsTheLastOfARepeatedKey() {
        #expect(
            PostgresText.jsonb(#"{"zeta":1,"a":[1,{"bb":null,"b":true}],"a":false,"é":"x\u0001"}"#)
                == #"{"a": false, "é": "x\u0001", "zeta": 1}"#)
    }

    /// The writer's path (a Reading) and the verifier's (the text PostgreSQL prints for the
    /// stored row, field by field in `ReadingRecordField` order) build the same record.
    @Test func aReadingRecordBuiltByTheWriterIsTheOneTheVerifierRebuilds() throws {
        let reading = Reading(
            meterKey: 7, timestamp: Timestamp(microseconds: 1_790_000_000_123_456),
            value: try #require(ExactDecimal(parsing: "1200.50")), rawValue: "1.2005\0", rawUnit: "kWh",
            flags: [.spike, .outOfOrder], extra: #"{"zeta":1e2,"a":true}"#)
        var written = CanonicalRecord(tag: "x")
        written.resetReading(reading, batch: 42, seq: 3, meterID: "PV-1")
        let stored: [ReadingRecordField: String?] = [
            .microseconds: "1790000000123456", .value: "1200.50", .rawValue: "1.2005\u{FFFD}", .rawUnit: "kWh",
            .status: "flagged", .reasons: "{spike,out_of_order}", .extra: #"{"a": true, "zeta": 100}"#,
        ]
        #expect(stored.count == ReadingRecordField.allCases.count)
        var rebuilt = CanonicalRecord(tag: "y")
        rebuilt.resetReading(batch: 42, seq: 3, meterID: "PV-1") { field, r in r.field(stored[field] ?? nil) }
        #expect(written.bytes == rebuilt.bytes)
        #expect(String(decoding: written.bytes.prefix(25), as: UTF8.self) == "7:reading2:421:34:PV-116:")
        // One field out of place is a different record.
        var drifted = CanonicalRecord(tag: "y")
        drifted.resetReading(batch: 42, seq: 3, meterID: "PV-1") { field, r in
            r.field(stored[field == .rawValue ? .rawUnit : field == .rawUnit ? .rawValue : field] ?? nil)
        }
        #expect(written.bytes != drifted.bytes)
    }
}
