import Foundation
import JCMCore

/// The jcm schema as the daemon writes it. Every statement binds its values; none is built from
/// input text.
public final class ReadingStore {
    public let db: Connection
    /// The version of the monitoring plan `sync` recorded: every batch written names it.
    public private(set) var planVersion: Int32?

    let ledger: LedgerWriter
    var batchSequenceOID: String?

    /// Records the signer's public key in jcm.signing_keys: every transaction is sealed with it.
    /// - Parameter heads: checks each chain's head before it is extended (ChainHeadGuard); nil
    ///   extends whatever head is there.
    public init(db: Connection, signer: LedgerSigner, heads: ChainHeadGuard? = nil) throws {
        self.db = db
        ledger = LedgerWriter(signer: signer, keyID: try LedgerWriter.register(signer, db: db))
        ledger.headGuard = heads
    }

    private init(db: Connection, ledger: LedgerWriter, planVersion: Int32?) {
        self.db = db
        self.ledger = ledger
        self.planVersion = planVersion
    }

    /// This store, its ledger and plan version on another connection, for what follows `sync`:
    /// libpq never shrinks a connection's buffers, and a fleet's plan (4 MB of JSON at 10,000
    /// meters, its sealed row 8 MB) would otherwise hold them at that size for the writer's life.
    public func moved(to db: Connection) -> ReadingStore {
        ReadingStore(db: db, ledger: ledger, planVersion: planVersion)
    }

    /// Mirrors the configured projects and meters into jcm.projects / jcm.meters and returns each
    /// meter's compact key. Meters that left the configuration stay (their readings need them).
    public func sync(_ config: Config) throws -> [String: Int32] {
        do {
            try mirror(config, sealPlan: true)
        } catch is ChainHalted {
            // The chain '' is halted (a head this writer did not write): a new plan version is
            // recorded in no link rather than stopping the start; verify names it.
            try mirror(config, sealPlan: false)
        }
        var keys: [String: Int32] = [:]
        ledger.meters = [:]
        ledger.projectOfMeter = [:]
        for row in try db.query("select id, key, project from jcm.meters") {
            let (id, key, project) = (try row.string(0), try row.int32(1), try row.string(2))
            keys[id] = key
            ledger.meters[key] = (id, project)
            ledger.projectOfMeter[id] = project
        }
        return keys
    }

    private func mirror(_ config: Config, sealPlan: Bool) throws {
        try db.execute("begin")
        do {
            for p in config.projects {
                try db.query(
                    """
                    insert into jcm.projects (id, methodology, name, methodology_version, monitoring_start) values ($1, $2, $3, $4, $5::timestamptz)
                    on conflict (id) do update set methodology = excluded.methodology, name = excluded.name,
                        methodology_version = excluded.methodology_version, monitoring_start = excluded.monitoring_start, updated_at = now()
                    where (jcm.projects.methodology, jcm.projects.name, jcm.projects.methodology_version, jcm.projects.monitoring_start)
                        is distinct from (excluded.methodology, excluded.name, excluded.methodology_version, excluded.monitoring_start)
                    """, [p.id, p.methodology, p.name, p.methodologyVersion, p.monitoringStart?.description])
            }
            // The plan first: jcm.meters takes a meter's unit, kind, parameter and project only as
            // the newest plan version has them (the triggers matches_plan_*).
            let version = try recordPlan(config.planJSON, sealed: sealPlan)
            // One statement for all meters: a fleet of thousands syncs in one round trip.
            let meters = config.meters
            try db.query(
                """
                insert into jcm.meters (id, project, parameter, kind, unit, url, timezone, expected_interval, rollover)
                select id, project, parameter, kind, unit, url, timezone, make_interval(secs => ms / 1000.0), rollover
                from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::numeric[])
                    as u(id, project, parameter, kind, unit, url, timezone, ms, rollover)
                on conflict (id) do update set project = excluded.project, parameter = excluded.parameter, kind = excluded.kind,
                    unit = excluded.unit, url = excluded.url, timezone = excluded.timezone, expected_interval = excluded.expected_interval,
                    rollover = excluded.rollover, updated_at = now()
                where (jcm.meters.project, jcm.meters.parameter, jcm.meters.kind, jcm.meters.unit, jcm.meters.url, jcm.meters.timezone,
                       jcm.meters.expected_interval, jcm.meters.rollover)
                    is distinct from (excluded.project, excluded.parameter, excluded.kind, excluded.unit, excluded.url, excluded.timezone,
                       excluded.expected_interval, excluded.rollover)
                """,
                [
                    PostgresArray.text(meters.map(\.id)), PostgresArray.text(meters.map(\.project)),
                    PostgresArray.text(meters.map(\.parameter)), PostgresArray.text(meters.map(\.kind.rawValue)),
                    PostgresArray.text(meters.map(\.unit.symbol)),
                    PostgresArray.text(meters.map { $0.poll.map { URLRedaction.redact($0.url) } }),
                    PostgresArray.text(meters.map(\.timeZone)),
                    PostgresArray.text(meters.map { $0.plan.expectedIntervalMilliseconds.map(String.init) }),
                    PostgresArray.text(meters.map { $0.plan.rollover?.description }),
                ])
            try ledger.seal(db)
            try db.execute("commit")
            ledger.committed()
            planVersion = version
        } catch {
            ledger.discard()
            try? db.execute("rollback")
            throw error
        }
    }

    /// Runs `body` in one transaction: all of it is stored and sealed in the ledger, or none.
    /// Every batch is inserted inside one.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try db.execute("begin")
        do {
            let value = try body()
            try ledger.seal(db)
            try db.execute("commit")
            ledger.committed()
            return value
        } catch {
            ledger.discard()
            if db.isHealthy { try? db.execute("rollback") }
            throw error
        }
    }

    /// The new batch's id; nil when a batch of the same spool record is already stored.
    public func insertBatch(_ b: BatchRecord) throws -> Int64? {
        let result = try db.query(
            """
            insert into jcm.batches (kind, source, url, http_status, file_name, sha256, bytes, received_at, spool_record, plan_version)
            values ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9, $10)
            on conflict (spool_record) do nothing returning id
            """,
            [
                b.kind.rawValue, b.source, b.url, b.httpStatus.map(String.init), b.fileName, b.sha256, String(b.bytes),
                b.receivedAt.description, b.spoolRecord, planVersion.map(String.init),
            ])
        if let id = result[0, 0].flatMap({ Int64($0) }) {
            ledger.opened(batch: id, b, planVersion: planVersion)
            return id
        }
        if b.spoolRecord != nil { return nil }
        throw PostgresError(kind: .query, message: "insert into jcm.batches returned no id")
    }

    /// The file name a report with this content was first ingested under, if any.
    public func report(sha256: String) throws -> String? {
        try db.query("select file_name from jcm.reports where sha256 = $1", [sha256])[0, 0]
    }

    /// The rejections the database itself found for a batch (conflicts, refused rows), in order.
    public func rejectionsFoundByDatabase(batch: Int64) throws -> [(
        location: String, reason: String, detail: String, raw: String
    )] {
        try db.query(
            """
            select location, reason, detail, raw from jcm.rejections
            where batch = $1 and reason in ('duplicate_conflict', 'database_refused') order by id
            """, [String(batch)]
        ).map { row in (try row.string(0), try row.string(1), try row.string(2), try row.string(3)) }
    }

    /// Opens a chunk: readings stream to the server as they are added.
    public func beginChunk(batch: Int64, source: String) throws -> ChunkWriter {
        try ChunkWriter(db: db, ledger: ledger, batch: batch, source: source)
    }
}

/// Array literals for binding a list as one parameter (`$1::text[]`).
enum PostgresArray {
    /// Built in one string: a group's arrays hold thousands of items.
    static func text(_ items: [String?]) -> String {
        var out = "{"
        out.reserveCapacity(items.count * 24 + 2)
        for (i, item) in items.enumerated() {
            if i > 0 { out += "," }
            guard let item else {
                out += "NULL"
                continue
            }
            out += "\""
            // Most items (hex digests, numbers, ids) need no escape: skip Foundation's search.
            if item.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") }) {
                out += item.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            } else {
                out += item
            }
            out += "\""
        }
        out += "}"
        return out
    }
}

/// Keeps API keys and passwords in URLs out of the database and the logs.
public enum URLRedaction {
    public static func redact(_ url: String) -> String {
        // A URL Foundation cannot parse (a windowed poll's {start}) still loses its secrets.
        guard var components = URLComponents(string: url) else { return redactUnparsed(url) }
        if components.password != nil { components.password = "REDACTED" }
        if let items = components.queryItems, !items.isEmpty {
            components.queryItems = items.map { URLQueryItem(name: $0.name, value: $0.value == nil ? nil : "REDACTED") }
        }
        return components.string ?? redactUnparsed(url)
    }

    /// Userinfo and every query value replaced, by hand.
    static func redactUnparsed(_ url: String) -> String {
        var rest = Substring(url)
        var out = ""
        if let scheme = rest.range(of: "://") {
            out = String(rest[..<scheme.upperBound])
            rest = rest[scheme.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                rest = rest[rest.index(after: at)...]
                out += "REDACTED@"
            }
        }
        guard let q = rest.firstIndex(of: "?") else { return out + rest }
        out += rest[...q]
        let query = rest[rest.index(after: q)...].prefix { $0 != "#" }
        out += query.split(separator: "&", omittingEmptySubsequences: false).map { item in
            guard let eq = item.firstIndex(of: "=") else { return String(item) }
            return item[...eq] + "REDACTED"
        }.joined(separator: "&")
        return out
    }
}
