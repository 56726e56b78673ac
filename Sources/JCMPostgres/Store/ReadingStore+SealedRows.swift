import Foundation
import JCMCore

/// Report rows and plan versions, sealed whole in the chain '' (CanonicalRecord.row): deleting,
/// changing or adding one behind the daemon's back is found by verify.
extension ReadingStore {
    /// A report file's row, sealed with its file batch (inside the file's transaction).
    public func insertReport(_ r: ReportRecord) throws {
        let lane = ledger.lane(batch: r.batch, project: "")
        let seq = lane.number()
        let json = try inUTC {
            try db.query(
                """
                insert into jcm.reports (sha256, file_name, batch, outcome, rows_total, accepted, flagged, rejected, duplicates, error, ledger_seq)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning to_jsonb(jcm.reports.*)::text
                """,
                [
                    r.sha256, r.fileName, String(r.batch), r.outcome, String(r.counts.total), String(r.counts.accepted),
                    String(r.counts.flagged), String(r.counts.rejected), String(r.counts.duplicates), r.error,
                    String(seq),
                ])[0, 0]
        }
        guard let json else { throw PostgresError(kind: .query, message: "insert into jcm.reports returned no row") }
        lane.append(digestOf: CanonicalRecord.row(tag: "report", batch: r.batch, seq: seq, json: json))
        try ledger.cutChunk(batch: r.batch, db: db)
    }

    /// The plan's version: the newest one if its text is the same, else a new version, sealed in
    /// a batch of its own (kind 'plan'). Runs inside `sync`'s transaction; `sealed: false` (the
    /// chain '' is halted) records it in no link, which verify reports.
    func recordPlan(_ json: String, sealed: Bool) throws -> Int32? {
        // Its digest, not its text, is compared: an unchanged plan is not sent at each start.
        let sha256 = LedgerDigest.hex(LedgerDigest.sha256(Array(json.utf8)))
        let same = try db.query(
            """
            select version from jcm.plan_versions
            where version = (select max(version) from jcm.plan_versions) and sha256 = $1
            """, [sha256])
        if let version = same[0, 0].flatMap({ Int32($0) }) { return version }
        guard sealed else {
            return try db.query(
                "insert into jcm.plan_versions (sha256, plan) values ($1, $2::jsonb) returning version", [sha256, json]
            )[0, 0].flatMap { Int32($0) }
        }
        guard
            let batch = try insertBatch(
                BatchRecord(
                    kind: .plan, source: "plan", sha256: sha256, bytes: json.utf8.count,
                    receivedAt: Timestamp(date: Date())))
        else { throw PostgresError(kind: .query, message: "the plan's batch was not inserted") }
        let lane = ledger.lane(batch: batch, project: "")
        let seq = lane.number()
        let row = try inUTC {
            try db.query(
                """
                insert into jcm.plan_versions (sha256, plan, ledger_batch, ledger_seq) values ($1, $2::jsonb, $3, $4)
                returning version, to_jsonb(jcm.plan_versions.*)::text
                """, [sha256, json, String(batch), String(seq)])
        }
        guard let inserted = row.first else {
            throw PostgresError(kind: .query, message: "insert into jcm.plan_versions returned no row")
        }
        let (version, text) = (try inserted.int32(0), try inserted.string(1))
        lane.append(digestOf: CanonicalRecord.row(tag: "plan_version", batch: batch, seq: seq, json: text))
        try ledger.cutChunk(batch: batch, db: db)
        return version
    }

    /// Runs `body` with TimeZone UTC (the jsonb text of a row is digested so), then restores the
    /// transaction's own.
    private func inUTC<T>(_ body: () throws -> T) throws -> T {
        let previous = try db.query("select current_setting('timezone')")[0, 0] ?? "UTC"
        try db.query("select set_config('timezone', 'UTC', true)")
        let value = try body()
        try db.query("select set_config('timezone', $1, true)", [previous])
        return value
    }
}
