import JCMCore

/// One transaction of readings and rejections. Readings are COPYed straight into jcm.readings
/// as they are added (binary), so the server indexes one part while the client decodes the next.
/// The encoded rows are kept until commit: if the COPY hits rows already stored (SQLSTATE 23505),
/// the transaction is redone through a staging table with `ON CONFLICT DO NOTHING`, and rows that
/// differ from the stored ones become `duplicate_conflict` rejections. Only colliding chunks pay
/// for that path.
public final class ChunkWriter {
    static let readingColumns = "meter, ts, value, raw_value, raw_unit, status, reasons, batch, extra"
    static let flushBytes = 1 << 18

    private let db: Connection
    private let batch: Int64
    private let source: String
    private var encoded: [[UInt8]] = []
    private var pending = BinaryCopyEncoder(reserving: ChunkWriter.flushBytes + 4096)
    private var rejections: [Rejection] = []
    private var counts = ChunkCounts()

    init(db: Connection, batch: Int64, source: String) throws {
        self.db = db
        self.batch = batch
        self.source = source
        try db.execute("begin")
        do {
            try db.beginCopy("copy jcm.readings (\(Self.readingColumns)) from stdin (format binary)")
            try db.putCopyData(BinaryCopyEncoder.header)
        } catch {
            try? db.execute("rollback")
            throw error
        }
    }

    public func add(_ r: Reading) throws {
        pending.beginRow(fields: 9)
        pending.int32(r.meterKey)
        pending.timestamptz(r.timestamp)
        pending.numeric(r.value)
        pending.text(r.rawValue)
        pending.text(r.rawUnit)
        pending.text(r.status)
        pending.textArray(r.flags.map(\.rawValue))
        pending.int64(batch)
        pending.jsonb(r.extra)
        if r.flags.isEmpty { counts.accepted += 1 } else { counts.flagged += 1 }
        if pending.bytes.count >= Self.flushBytes { try flush() }
    }

    public func add(_ rejection: Rejection) {
        rejections.append(rejection)
        counts.rejected += 1
    }

    private func flush() throws {
        guard !pending.bytes.isEmpty else { return }
        encoded.append(pending.bytes)
        try db.putCopyData(pending.bytes)
        pending.removeAll()
    }

    /// Ends the COPY, writes the rejections and commits. On return the chunk is durable.
    public func commit() throws -> ChunkCounts {
        do {
            try flush()
            try db.putCopyData(BinaryCopyEncoder.trailer)
            try db.endCopy()
        } catch let error as PostgresError where error.isUniqueViolation {
            try? db.execute("rollback")
            try commitThroughStaging()
            return counts
        } catch {
            try? db.execute("rollback")
            throw error
        }
        do {
            try writeRejections()
            try db.execute("commit")
        } catch {
            try? db.execute("rollback")
            throw error
        }
        return counts
    }

    private func commitThroughStaging() throws {
        try db.execute("begin")
        do {
            try db.execute("""
                create temp table jcm_staging (like jcm.readings) on commit drop;
                alter table jcm_staging add column ord bigint generated always as identity
                """)
            try db.beginCopy("copy jcm_staging (\(Self.readingColumns)) from stdin (format binary)")
            try db.putCopyData(BinaryCopyEncoder.header)
            for part in encoded { try db.putCopyData(part) }
            try db.putCopyData(BinaryCopyEncoder.trailer)
            let staged = try db.endCopy()
            let inserted = try db.query("""
                with ins as (
                    insert into jcm.readings (\(Self.readingColumns))
                    select \(Self.readingColumns) from jcm_staging order by ord
                    on conflict (meter, ts) do nothing
                    returning status)
                select count(*) filter (where status = 'accepted'), count(*) filter (where status = 'flagged') from ins
                """)
            let accepted = inserted[0, 0].flatMap(Int.init) ?? 0
            let flagged = inserted[0, 1].flatMap(Int.init) ?? 0
            // After the insert every key is stored: a staged row that differs from it lost to an
            // earlier value (stored before, by another writer meanwhile, or earlier in this chunk).
            let conflicts = try db.query("""
                insert into jcm.rejections (batch, meter_id, location, reason, detail, raw)
                select s.batch, m.id, $1, 'duplicate_conflict',
                       'meter ' || m.id || ' at ' || s.ts || ': value ' || r.value ||
                       case when r.batch = s.batch then ' came earlier in the same batch'
                            else ' already stored by batch ' || r.batch end ||
                       ', this one is ' || s.value,
                       s.raw_value || ' ' || s.raw_unit
                from jcm_staging s
                join jcm.readings r on r.meter = s.meter and r.ts = s.ts
                join jcm.meters m on m.key = s.meter
                where r.value <> s.value
                order by s.ord
                """, [source]).affectedRows
            counts.rejected += conflicts
            counts.duplicates = staged - accepted - flagged - conflicts
            counts.accepted = accepted
            counts.flagged = flagged
            try writeRejections()
            try db.execute("commit")
        } catch {
            try? db.execute("rollback")
            throw error
        }
    }

    private func writeRejections() throws {
        guard !rejections.isEmpty else { return }
        try db.beginCopy("copy jcm.rejections (batch, meter_id, location, reason, detail, raw) from stdin (format binary)")
        var e = BinaryCopyEncoder(reserving: 1 << 16)
        try db.putCopyData(BinaryCopyEncoder.header)
        for r in rejections {
            e.beginRow(fields: 6)
            e.int64(batch)
            e.optionalText(r.raw.meterID.map(Self.clean))
            e.text(Self.clean(r.raw.location))
            e.text(r.reason.rawValue)
            e.text(Self.clean(r.detail))
            e.text(Self.clean(r.raw.raw))
            if e.bytes.count >= Self.flushBytes {
                try db.putCopyData(e.bytes)
                e.removeAll()
            }
        }
        try db.putCopyData(e.bytes)
        try db.putCopyData(BinaryCopyEncoder.trailer)
        try db.endCopy()
    }

    /// PostgreSQL text cannot hold NUL; keep the rest verbatim.
    static func clean(_ s: String) -> String {
        s.contains("\0") ? s.replacingOccurrences(of: "\0", with: "\u{FFFD}") : s
    }
}
