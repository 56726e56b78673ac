import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

/// deploy/roles.sql on a real server: the daemon runs as jcm_ingest, verifiers read as jcm_verifier.
@Suite("database roles")
struct RolesTests {
    @Test func ingestRoleAddsRowsAndCannotChangeThemAndVerifierOnlyReads() throws {
        let owner = try TestCluster.freshDatabase()
        let dbname = try #require(owner.split(separator: " ").first { $0.hasPrefix("dbname=") }).dropFirst(
            "dbname=".count)
        let config = try Fixtures.config()
        try Migrator.migrate(try Connection(conninfo: owner), logger: TestCluster.logger)
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let sql = try String(contentsOf: repo.appendingPathComponent("deploy/roles.sql"), encoding: .utf8)
            .replacingOccurrences(of: ":ingest_password", with: "'i'")
            .replacingOccurrences(of: ":verifier_password", with: "'v'")
            .replacingOccurrences(of: ":\"DBNAME\"", with: "\"\(dbname)\"")
        try Connection(conninfo: owner).execute(sql)

        let ingest = owner.replacingOccurrences(of: "user=jcm", with: "user=jcm_ingest")
        var context = try IngestContext.open(conninfo: ingest, config: config, logger: TestCluster.logger)
        let dir = TempDir()
        let ingestor = ReportIngestor(store: context.store, batchRows: 1_000, logger: TestCluster.logger)
        let text = "meter_id,timestamp,value,unit\nPV-1,2026-11-01T00:00:00Z,1,kWh\nPV-1,2026-11-01T01:00:00Z,x,kWh\n"
        let summary = try ingestor.ingest(path: dir.write("a.csv", text), zone: nil, validator: &context.validator)
        #expect(summary.counts.accepted == 1 && summary.counts.rejected == 1)
        // Re-sent rows take the staging path, which the role can use too.
        let again = try ingestor.ingest(
            path: dir.write("b.csv", text + "PV-1,2026-11-01T02:00:00Z,2,kWh\n"), zone: nil,
            validator: &context.validator)
        #expect(again.counts.duplicates == 1 && again.counts.accepted == 1)

        let ingestDB = try Connection(conninfo: ingest)
        for statement in [
            "update jcm.readings set value = 2", "delete from jcm.readings", "delete from jcm.rejections",
            "update jcm.batches set sha256 = ''", "truncate jcm.readings", "drop table jcm.reports",
            "update jcm.plan_versions set plan = '{}'", "delete from jcm.plan_versions",
        ] {
            #expect(throws: PostgresError.self, "\(statement)") { try ingestDB.execute(statement) }
        }
        let verifier = try Connection(conninfo: owner.replacingOccurrences(of: "user=jcm", with: "user=jcm_verifier"))
        #expect(try verifier.query("select count(*) from jcm.readings_view")[0, 0] == "2")
        #expect(throws: PostgresError.self) {
            try verifier.execute("insert into jcm.projects (id, methodology) values ('X', 'Y')")
        }
        #expect(throws: PostgresError.self) { try verifier.execute("delete from jcm.readings") }
    }
}
