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
}
