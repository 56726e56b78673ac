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
}
