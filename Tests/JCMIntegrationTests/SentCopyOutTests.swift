import JCMCore
import JCMPostgres
import Testing

/// `sendCopyOut` returns before the server has run the query (report starts its dataset so):
/// the rows, in order, and a failing query's error come with the first read.
@Suite struct SentCopyOutTests {
    @Test func rowsAndErrorsComeWithTheFirstRead() throws {
        let db = try Connection(conninfo: try TestCluster.freshDatabase())
        let cursor = try db.sendCopyOut(
            "copy (select g, 'r' || g from generate_series(1, 3) g order by g desc) to stdout")
        var row = CopyRow()
        var seen: [String] = []
        while try cursor.next(into: &row) { seen.append((row.string(0) ?? "") + (row.string(1) ?? "")) }
        #expect(seen == ["3r3", "2r2", "1r1"])

        let failing = try db.sendCopyOut("copy (select 1 / (g - 2) from generate_series(1, 3) g) to stdout")
        #expect(throws: PostgresError.self) { while try failing.next(into: &row) {} }
        // An error before the first row (the server refuses the query itself).
        let refused = try db.sendCopyOut("copy (select no_such_column) to stdout")
        #expect(throws: PostgresError.self) { while try refused.next(into: &row) {} }
        #expect(try !refused.next(into: &row))
        // The connection is usable afterwards.
        #expect(try db.query("select 7")[0].int(0) == 7)
    }

    /// The dataset's times come as ISO text in UTC and are made RFC 3339 as read: the same text
    /// as jcm.rfc3339 (its body below), the fields after them unmoved, NULL kept, and a session
    /// in another zone refused rather than mislabelled.
    @Test func isoTimestampsAreRewrittenAsJcmRfc3339WritesThem() throws {
        let db = try Connection(conninfo: try TestCluster.freshDatabase())
        try db.execute(PeriodStore.datasetSession)
        let rfc3339 = """
            to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
            || coalesce('.' || nullif(rtrim(to_char(extract(microseconds from t)::bigint % 1000000, 'FM000000'), '0'), ''), '')
            || 'Z'
            """
        let cursor = try db.copyOut(
            """
            copy (select t, null::timestamptz, t, 'after', \(rfc3339) from unnest(array[
                '2026-01-01 00:15:00+00', '2026-01-01 05:30:00.5+05:30', '2026-06-30 23:59:59.000001+00',
                '2026-03-01 12:00:00.12-08', '0999-01-01 00:00:00+00']::timestamptz[]) t) to stdout
            """)
        var row = CopyRow()
        var count = 0
        while try cursor.next(into: &row) {
            try row.rewriteISOTimestampAsRFC3339(0)
            try row.rewriteISOTimestampAsRFC3339(1)
            try row.rewriteISOTimestampAsRFC3339(2)
            #expect(row.string(0) == row.string(4))
            #expect(row.isNull(1))
            #expect(row.string(2) == row.string(4))
            #expect(row.string(3) == "after")
            count += 1
        }
        #expect(count == 5)

        try db.execute("set timezone = 'Asia/Kolkata'")
        let local = try db.copyOut("copy (select timestamptz '2026-01-01 00:00:00+00') to stdout")
        #expect(try local.next(into: &row))
        #expect(throws: PostgresError.self) { try row.rewriteISOTimestampAsRFC3339(0) }
        while try local.next(into: &row) {}
    }
}
