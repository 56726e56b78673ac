import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

/// Corrections are sealed like readings, whole rows (columns a later migration adds included):
/// one inserted behind the daemon's back, changed or deleted is named by verify.
@Suite("corrections sealed in the ledger")
struct CorrectionLedgerTests {
    func verify(_ conninfo: String) throws -> (LedgerVerifier.Summary, [String]) {
        var findings: [String] = []
        let summary = try LedgerVerifier(conninfo: conninfo, scope: .init()) { findings.append($0) }.run()
        return (summary, findings)
    }

    @Test func aCorrectionIsSealedWholeAndOneAddedChangedOrDeletedIsNamed() throws {
        var db = try TestCluster.context(try Fixtures.config())
        let dir = TempDir()
        let ingestor = ReportIngestor(store: db.context.store, batchRows: 100, logger: TestCluster.logger)
        _ = try ingestor.ingest(
            path: dir.write(
                "a.csv",
                "meter_id,timestamp,value,unit\nPV-1,2026-11-01T00:00:00Z,1,kWh\nPV-1,2026-11-01T01:00:00Z,2,kWh\n"),
            zone: nil, validator: &db.context.validator)
        // A column a later migration adds (as migration 8 added the held-step resolutions) is covered too.
        try Connection(conninfo: db.conninfo).execute("alter table jcm.corrections add column witness text")
        let ids = try db.context.store.insertCorrections([
            [
                "meter_id": "PV-1", "ts": "2026-11-01T01:00:00Z", "batch": "1", "value": "2.5", "reason": "meter swap",
                "author": "asha", "witness": "TPE-7",
            ],
            [
                "meter_id": "PV-1", "ts": "2026-11-01T00:00:00Z", "batch": "1", "value": nil, "reason": "forged",
                "author": "asha",
            ],
        ])
        #expect(ids.count == 2)
        var (summary, findings) = try verify(db.conninfo)
        #expect(findings == [])
        #expect(summary.corrections == 2)
        let (setup, checks) = try LedgerTests.recipe()
        let psql = try Connection(conninfo: db.conninfo)
        try psql.execute(setup)
        #expect(try psql.query(try #require(checks["corrections"])).rows.isEmpty)
        #expect(try psql.query(try #require(checks["deleted"])).rows.isEmpty)

        let owner = try Connection(conninfo: db.conninfo)
        try owner.execute(
            "insert into jcm.corrections (meter_id, ts, batch, value, reason, author) values ('PV-1', '2026-11-01T01:00:00Z', 1, 9999, 'x', 'mallory')"
        )
        try owner.execute(
            "set session_replication_role = replica; update jcm.corrections set witness = 'mallory' where id = \(ids[0])"
        )
        (summary, findings) = try verify(db.conninfo)
        #expect(findings.count == 2, "\(findings)")
        #expect(
            findings.contains {
                $0.contains("of meter PV-1 at") && $0.contains("in no link (inserted behind the daemon's back)")
            }, "\(findings)")
        #expect(
            findings.contains { $0.contains("correction \(ids[0]) of meter PV-1 was changed since it was sealed") },
            "\(findings)")
        #expect(
            try psql.query(checks["corrections"]!).rows.map { $0[2] } == [
                "changed since it was sealed", "in no link (added)",
            ])

        try owner.execute("set session_replication_role = replica; delete from jcm.corrections where id = \(ids[1])")
        (summary, findings) = try verify(db.conninfo)
        #expect(
            findings.contains { $0.contains("record 2 of IN-JP-0001: sealed by link") && $0.contains("but deleted") },
            "\(findings)")
    }
}
