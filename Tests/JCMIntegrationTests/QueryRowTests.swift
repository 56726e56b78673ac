import Foundation
import JCMCore
import JCMPostgres
import Testing

/// Typed parameters in, typed rows out: values keep their type both ways, and a cell that is
/// NULL or not of the type read is an error naming the column.
@Suite("typed rows and parameters")
struct QueryRowTests {
    @Test func valuesRoundTripByType() throws {
        let db = try Connection(conninfo: try TestCluster.freshDatabase())
        let at = Timestamp(microseconds: 1_790_000_000_123_456)
        let amount = try #require(ExactDecimal(parsing: "-1200.500"))
        let row = try db.query(
            """
            select $1::boolean, $2::bigint, $3::numeric, $4::timestamptz, $5::text, $6::text[], $7::bytea, null::text,
                   $8::integer as n
            """,
            [
                .bool(true), .int(Int64.min), .decimal(amount), .timestamp(at), .text("it's ☀"),
                .textArray(["a\"b", nil, "c,d"]), .bytes([0, 255, 16]), .int(Int32.max),
            ])[0]
        #expect(try row.bool(0) == true)
        #expect(try row.int64(1) == Int64.min)
        #expect(try row.decimal(2) == amount && row.decimal(2).description == "-1200.500")
        #expect(try row.timestamp(3) == at, "whatever the session's TimeZone")
        #expect(try row.string(4) == "it's ☀")
        #expect(try row.string(5) == #"{"a\"b",NULL,"c,d"}"#)
        #expect(try row.bytes(6) == [0, 255, 16])
        #expect(try row.nullable.string(7) == nil && row.isNull(7))
        #expect(try row.int32(8) == Int32.max)
        try db.execute("set timezone = 'Asia/Kolkata'")
        #expect(try db.query("select $1::timestamptz", [.timestamp(at)])[0].timestamp(0) == at)
    }

    @Test func aNullOrAWrongTypeNamesTheColumn() throws {
        let db = try Connection(conninfo: try TestCluster.freshDatabase())
        let row = try db.query("select null::boolean as flag, 'abc' as total, 1.5 as whole")[0]
        #expect(throws: PostgresError.self) { try row.bool(0) }
        do {
            _ = try row.bool(0)
        } catch let e as PostgresError {
            #expect(e.kind == .decode && e.message == #"column "flag" (0) of row 0 is NULL, not boolean"#)
        }
        do {
            _ = try row.int64(1)
        } catch let e as PostgresError {
            #expect(e.message == #"column "total" (1) of row 0: "abc" is not bigint"# && e.isPermanent)
        }
        #expect(throws: PostgresError.self) { try row.nullable.int(2) }
        #expect(throws: PostgresError.self) { try row.string(3) }
    }

    /// COPY binds no parameters: the verifier's scope reaches it as a bound setting. A project
    /// name made to break out of a quoted literal is only a name nobody has.
    @Test func theVerifiersScopeIsBoundNotSpliced() throws {
        let ledger = LedgerTests()
        let conninfo = try ledger.populated()
        for project in ["x' or 'a' = 'a", "x'); delete from jcm.readings; --"] {
            let (summary, findings) = try ledger.verify(conninfo, .init(project: project))
            #expect(findings == [] && summary.readings == 0 && summary.batches == 0)
        }
        let (all, findings) = try ledger.verify(
            conninfo,
            .init(
                project: "IN-JP-0001", from: Timestamp(microseconds: 0),
                to: Timestamp(microseconds: 4_102_444_800_000_000)))
        #expect(findings == [] && all.readings == 6)
        #expect(try scalar(conninfo, "select count(*) from jcm.readings") == "6")
    }
}
