import Foundation
import JCMDaemon
import JCMPostgres
import Testing

@Suite("schema migrations")
struct MigrationTests {
    @Test func twoDaemonsMigratingTogetherDoNotRace() throws {
        let conninfo = try TestCluster.freshDatabase()
        let group = DispatchGroup()
        let failures = Counter()
        for _ in 0..<4 {
            group.enter()
            Thread {
                do { try Migrator.migrate(try Connection(conninfo: conninfo), logger: TestCluster.logger) } catch {
                    _ = failures.next()
                }
                group.leave()
            }.start()
        }
        group.wait()
        #expect(failures.next() == 1)  // none failed before this call
        #expect(
            try scalar(conninfo, "select count(*) from jcm.schema_migrations") == String(try Migrator.bundled().count))
        // Applying again changes nothing.
        #expect(try Migrator.migrate(try Connection(conninfo: conninfo), logger: TestCluster.logger).isEmpty)
    }

    /// Migration 7 drops the foreign keys that every poll's batch and link paid for (named as
    /// PostgreSQL names them, so `drop constraint if exists` must find them); the others stay.
    @Test func theRowsEveryPollWritesHaveNoForeignKeyToCheck() throws {
        let conninfo = try TestCluster.freshDatabase()
        try Migrator.migrate(try Connection(conninfo: conninfo), logger: TestCluster.logger)
        let keys = try rows(
            conninfo,
            """
            select t.relname || '.' || a.attname from pg_constraint c
            join pg_class t on t.oid = c.conrelid
            join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
            where c.contype = 'f' and c.connamespace = 'jcm'::regnamespace order by 1
            """
        ).map { $0[0] ?? "" }
        #expect(!keys.contains("ledger.batch") && !keys.contains("batches.plan_version"), "\(keys)")
        #expect(keys.contains("rejections.batch") && keys.contains("reports.batch"), "\(keys)")
    }

    @Test func aWrongConninfoIsAClearErrorWithoutSecrets() throws {
        do {
            _ = try Connection(conninfo: "host=/nonexistent port=1 user=x password=hunter2 dbname=y connect_timeout=2")
            Issue.record("connected?")
        } catch let error as PostgresError {
            #expect(error.isConnectionLoss)
            #expect(!error.description.contains("hunter2"))
            #expect(error.description.contains("could not connect"))
        }
    }
}

@Suite("choosing the database")
struct DatabaseTargetTests {
    @Test func urlThenLibpqEnvironment() throws {
        var config = try Fixtures.config()
        config.database.url = "postgresql://ingest@db.example/jcm"
        #expect(
            try DatabaseTarget.resolve(config, logger: TestCluster.logger, environment: ["PGHOST": "elsewhere"])
                .conninfo == config.database.url)
        config.database.url = ""
        for variable in ["PGHOST", "PGHOSTADDR", "PGSERVICE", "PGDATABASE"] {
            let target = try DatabaseTarget.resolve(config, logger: TestCluster.logger, environment: [variable: "x"])
            #expect(target.conninfo == "")
            #expect(target.startedCluster == nil)
        }
    }
}
