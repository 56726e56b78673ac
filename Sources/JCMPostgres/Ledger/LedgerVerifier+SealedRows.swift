import JCMCore

/// Rows sealed whole in the chain '' (CanonicalRecord.row): report rows with their file's batch,
/// plan versions in batches of their own. Few (one per file, one per plan change), so read into
/// memory and merged into pass 2 by batch and number.
extension LedgerVerifier {
    struct SealedRow {
        var batch: Int64
        /// Nil: a row with no ledger number (added behind the daemon's back).
        var seq: Int?
        var tag: String
        var json: String
        var what: String
    }

    /// Must run on `db` with TimeZone UTC (the rows' jsonb text is digested so), before a COPY
    /// starts on it. `inWindow` is pass 2's batch condition on a column named `batch`.
    func sealedRows(_ db: Connection, inWindow: String) throws -> [Int64: [SealedRow]] {
        if let only = scope.project, !only.isEmpty { return [:] }
        var rows: [SealedRow] = []
        if try Self.hasColumn(db, table: "reports", column: "ledger_seq") {
            for r in try db.query(
                """
                select batch, ledger_seq, to_jsonb(r)::text, file_name from jcm.reports r
                where coalesce(ledger_seq, -1) <> 0 and \(inWindow)
                """
            ).rows {
                guard let batch = r[0].flatMap(Int64.init) else { continue }
                rows.append(
                    SealedRow(
                        batch: batch, seq: r[1].flatMap { Int($0) }, tag: "report", json: r[2] ?? "",
                        what: "of file \(r[3] ?? "?")"))
            }
        }
        if try Self.hasColumn(db, table: "plan_versions", column: "ledger_batch") {
            for r in try db.query("select version from jcm.plan_versions where ledger_batch is null order by version")
                .rows
            {
                found(
                    "plan version \(r[0] ?? "?"): in no link (inserted behind the daemon's back)",
                    "plan version in no link", chain: "", at: nil)
            }
            let window = inWindow.replacingOccurrences(of: "batch in (", with: "ledger_batch in (")
            for r in try db.query(
                """
                select ledger_batch, ledger_seq, to_jsonb(v)::text, version from jcm.plan_versions v
                where ledger_batch <> 0 and \(window)
                """
            ).rows {
                guard let batch = r[0].flatMap(Int64.init) else { continue }
                rows.append(
                    SealedRow(
                        batch: batch, seq: r[1].flatMap { Int($0) }, tag: "plan_version", json: r[2] ?? "",
                        what: r[3] ?? "?"))
            }
        }
        var byBatch: [Int64: [SealedRow]] = [:]
        for row in rows { byBatch[row.batch, default: []].append(row) }
        return byBatch.mapValues { rows in rows.sorted { ($0.seq ?? Int.max) < ($1.seq ?? Int.max) } }
    }

    /// The slot of the row a file or plan batch seals last in the chain '' (its jcm.reports row,
    /// its jcm.plan_versions row), by batch: a deleted record there is named as that row.
    func sealedRowSlots(_ db: Connection, inWindow: String) throws -> [Int64: (seq: Int, what: String)] {
        if let only = scope.project, !only.isEmpty { return [:] }
        guard try Self.hasColumn(db, table: "reports", column: "ledger_seq") else { return [:] }
        var out: [Int64: (seq: Int, what: String)] = [:]
        for r in try db.query(
            """
            select l.batch, max(l.last_seq), min(b.kind), min(b.file_name) from jcm.ledger l join jcm.batches b on b.id = l.batch
            where l.project = '' and b.kind in ('file', 'plan') and b.id >= (select min(id) from jcm.batches where kind = 'plan')
              and \(inWindow) group by l.batch
            """
        ).rows {
            guard let batch = r[0].flatMap(Int64.init), let seq = r[1].flatMap({ Int($0) }) else { continue }
            out[batch] = (
                seq, r[2] == "plan" ? "its jcm.plan_versions row" : "the jcm.reports row of \(r[3] ?? "the file")"
            )
        }
        return out
    }

    /// Sealed rows whose batch pass 2 never reached: no batch row, no link, no record of it.
    func sealedRowsLeft(_ left: [Int64: [SealedRow]]) {
        for (batch, rows) in left.sorted(by: { $0.key < $1.key }) {
            for row in rows {
                found(
                    "batch \(batch): \(row.tag.replacingOccurrences(of: "_", with: " ")) \(row.what) names a batch that is in no link (added behind the daemon's back)",
                    "\(row.tag) in no link", chain: "", at: .batch(batch))
            }
        }
    }

    static func hasColumn(_ db: Connection, table: String, column: String) throws -> Bool {
        try db.query(
            """
            select count(*) from information_schema.columns where table_schema = 'jcm' and table_name = $1 and column_name = $2
            """, [table, column])[0, 0] == "1"
    }
}
