import Foundation
import JCMCore

extension ReadingStore {
    /// Inserts corrections, sealed in the ledger like readings: one batch of kind 'correction',
    /// each row numbered within its meter's project and digested as `to_jsonb(row)::text` (with
    /// TimeZone UTC), which covers every column, including those a later schema adds.
    ///
    /// - Parameter rows: column name -> value as text (null: SQL NULL), e.g. meter_id, ts,
    ///   batch, value, reason, author. Names must be columns of jcm.corrections.
    /// - Returns: the corrections' ids, in order.
    public func insertCorrections(_ rows: [[String: String?]]) throws -> [Int64] {
        let known = Set(
            try db.query(
                """
                select attname from pg_attribute where attrelid = 'jcm.corrections'::regclass and attnum > 0 and not attisdropped
                """
            ).map { try $0.string(0) })
        let inputs = rows.map { row in row.keys.sorted().map { "\($0)=\(row[$0]! ?? "NULL")" }.joined(separator: "\n") }
            .joined(separator: "\n\n")
        return try transaction {
            try db.execute("set local timezone = 'UTC'")
            guard
                let batch = try insertBatch(
                    BatchRecord(
                        kind: .correction, source: "corrections",
                        sha256: LedgerDigest.hex(LedgerDigest.sha256(Array(inputs.utf8))),
                        bytes: inputs.utf8.count, receivedAt: Timestamp(date: Date())))
            else {
                throw PostgresError(kind: .query, message: "the corrections' batch was not inserted")
            }
            var ids: [Int64] = []
            for row in rows {
                let names = row.keys.sorted()
                for n in names
                where !known.contains(n) || ["id", "ledger_batch", "ledger_seq", "created_at"].contains(n) {
                    throw PostgresError(
                        kind: .query, message: "jcm.corrections has no column \(n) a correction may set")
                }
                let project = row["meter_id"].flatMap { $0 }.flatMap { ledger.projectOfMeter[$0] } ?? ""
                let lane = ledger.lane(batch: batch, project: project)
                let seq = lane.number()
                let columns = names.map { "\"\($0)\"" } + ["ledger_batch", "ledger_seq"]
                let binds = (1...(names.count + 2)).map { "$\($0)" }
                let r = try db.query(
                    """
                    insert into jcm.corrections (\(columns.joined(separator: ", "))) values (\(binds.joined(separator: ", ")))
                    returning id, to_jsonb(jcm.corrections.*)::text
                    """, names.map { row[$0]! } + [String(batch), String(seq)])
                guard let inserted = r.first else {
                    throw PostgresError(kind: .query, message: "insert into jcm.corrections returned no row")
                }
                let (id, json) = (try inserted.int64(0), try inserted.string(1))
                lane.append(digestOf: CanonicalRecord.correction(batch: batch, seq: seq, json: json))
                ids.append(id)
            }
            try ledger.cutChunk(batch: batch, db: db)
            return ids
        }
    }
}

extension CanonicalRecord {
    /// A row of jcm.corrections: `correction`, its ledger_batch, its ledger_seq, and the text of the
    /// whole row as jsonb (TimeZone UTC).
    public static func correction(batch: Int64, seq: Int, json: String) -> CanonicalRecord {
        row(tag: "correction", batch: batch, seq: seq, json: json)
    }
}
