import Foundation
import Logging

/// Applies the versioned SQL files shipped in Migrations/, each in its own transaction, recorded
/// in jcm.schema_migrations. An advisory lock serialises daemons that start together.
public enum Migrator {
    /// Arbitrary but fixed: "jcm-ingestd" as bytes folded into a bigint.
    static let lockKey: Int64 = 7_308_604_897_068_083_012

    public struct Migration: Sendable {
        public var version: Int
        public var name: String
        public var sql: String
    }

    public static func bundled() throws -> [Migration] {
        guard let dir = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw PostgresError(kind: .query, message: "migrations folder missing from the bundle")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".sql") }
            .sorted()
        return try files.map { file in
            guard let version = Int(file.prefix { $0.isNumber }) else {
                throw PostgresError(
                    kind: .query, message: "migration file \(file) does not start with a version number")
            }
            return Migration(
                version: version, name: file,
                sql: try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8))
        }
    }

    /// Returns the versions it applied.
    @discardableResult
    public static func migrate(_ db: Connection, logger: Logger) throws -> [Int] {
        let bundled = try bundled()
        // Up to date: touch nothing, so a role without CREATE rights (the ingest role) can start.
        if try db.query("select to_regclass('jcm.schema_migrations') is not null")[0].bool(0) {
            let applied = Set(try db.query("select version from jcm.schema_migrations").map { try $0.int(0) })
            if bundled.allSatisfy({ applied.contains($0.version) }) { return [] }
        }
        try db.query("select pg_advisory_lock($1)", [.int(Self.lockKey)])
        defer { _ = try? db.query("select pg_advisory_unlock($1)", [.int(Self.lockKey)]) }
        try db.execute(
            """
            create schema if not exists jcm;
            create table if not exists jcm.schema_migrations (
                version integer primary key, name text not null, applied_at timestamptz not null default now());
            """)
        let applied = Set(try db.query("select version from jcm.schema_migrations").map { try $0.int(0) })
        var done: [Int] = []
        for migration in bundled where !applied.contains(migration.version) {
            try db.execute("begin")
            do {
                try db.execute(migration.sql)
                try db.query(
                    "insert into jcm.schema_migrations (version, name) values ($1, $2)",
                    [.int(migration.version), .text(migration.name)])
                try db.execute("commit")
            } catch {
                try? db.execute("rollback")
                throw PostgresError(kind: .query, message: "migration \(migration.name) failed: \(error)")
            }
            logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
            done.append(migration.version)
        }
        return done
    }
}
