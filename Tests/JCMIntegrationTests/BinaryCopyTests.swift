import JCMCore
import JCMPostgres
import Testing

@Suite("binary COPY encoding")
struct BinaryCopyTests {
    /// Every value goes through our numeric encoder and comes back as the server prints it.
    @Test func numericsRoundTripExactly() throws {
        let texts = [
            "0", "0.0", "-0.5", "1.10", "10000", "0.0001", "100000000", "-99999999.9999", "12.5",
            "12345678901234567890.123456789", "0.000000000000000000000000000001", "9999.99999", "-1",
            "1234567890123456789012345678901234567.8", "-99999999999999999999999999999999999.999", "0.00005",
        ]
        let db = try Connection(conninfo: try TestCluster.freshDatabase())
        try db.execute("create table t (i int, v numeric, ts timestamptz, tags text[], doc jsonb)")
        try db.beginCopy("copy t from stdin (format binary)")
        var e = BinaryCopyEncoder()
        for (i, text) in texts.enumerated() {
            e.beginRow(fields: 5)
            e.int32(Int32(i))
            e.numeric(try #require(ExactDecimal(parsing: text)))
            e.timestamptz(Timestamp(microseconds: 1_767_225_600_123_456 + Int64(i)))
            e.textArray(i == 0 ? [] : ["out_of_order", "ü"])
            e.jsonb(i == 0 ? nil : #"{"k": \#(i)}"#)
        }
        try db.putCopyData(BinaryCopyEncoder.header)
        try db.putCopyData(e.bytes)
        try db.putCopyData(BinaryCopyEncoder.trailer)
        #expect(try db.endCopy() == texts.count)
        let back = try db.query(
            "select v::text, ts at time zone 'UTC', array_to_string(tags, ','), doc->>'k' from t order by i"
        ).rows
        #expect(back.map { $0[0] } == texts.map { Optional($0) })
        #expect(back[1][1] == "2026-01-01 00:00:00.123457")
        #expect(back[0][2] == nil && back[1][2] == "out_of_order,ü")
        #expect(back[0][3] == nil && back[2][3] == "2")
    }
}
