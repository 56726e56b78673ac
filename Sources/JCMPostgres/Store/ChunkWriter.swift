import JCMCore

/// One chunk of readings and rejections, inside the caller's transaction (a savepoint each, so a
/// file of many chunks commits or vanishes as a whole). Readings are COPYed straight into
/// jcm.readings as they are added (binary), so the server indexes one part while the client
/// decodes the next.
///
/// The encoded rows are kept until commit. If the COPY hits rows already stored (SQLSTATE 23505)
/// or a row the database refuses (a constraint or trigger: classes 22 and 23), the chunk is redone
/// through a staging table: rows are inserted with `ON CONFLICT DO NOTHING`, a refused range is
/// split in halves until the refused rows stand alone, and those become `database_refused`
/// rejections with the server's message; rows that differ from stored ones become
/// `duplicate_conflict` rejections. Only such chunks pay for that path.
///
/// Every record is numbered and digested for the ledger as it is added; at commit the chunk's
/// records become its links (one per project).
public final class ChunkWriter {
    static let readingColumns = "meter, ts, value, raw_value, raw_unit, status, reasons, batch, extra, seq"
    static let rejectionColumns = "batch, meter_id, location, reason, detail, raw, ts, seq"
    static let flushBytes = 1 << 18

    private let db: Connection
    private let ledger: LedgerWriter
    private let batch: Int64
    private let source: String
    /// Room for a flush's worth reserved only for a chunk of its own: a grouped poll's rows go
    /// to its group, and reserving 256 kB for each of 10,000 polls a second was the writer's
    /// largest cost in malloc.
    private var rows: BinaryCopyEncoder
    private var sent = 0
    /// Made at the first flush: a poll's single row never needs a thread.
    private var sender: CopySender?
    /// Where each row came from ("file.csv:12"), to name a row the database refuses.
    private var locations: [String] = []
    /// The ledger's number of each encoded row, by its position.
    private var slots: [(lane: LedgerWriter.Lane, seq: Int)] = []
    private var lanes: [Int32: (String, LedgerWriter.Lane)] = [:]
    /// Reused for every reading: its bytes are hashed, not kept.
    private var record = CanonicalRecord(tag: "reading")
    private var rejections: [(rejection: Rejection, seq: Int)] = []
    private var counts = ChunkCounts()
    /// Set for a poll's chunk written with others: its rows go there, not to a COPY of its own.
    private let group: ChunkGroup?

    init(db: Connection, ledger: LedgerWriter, batch: Int64, source: String, group: ChunkGroup? = nil) throws {
        self.db = db
        self.ledger = ledger
        self.batch = batch
        self.source = source
        self.group = group
        rows = BinaryCopyEncoder(reserving: group == nil ? Self.flushBytes + 4096 : 0)
        guard group == nil else { return }
        try db.execute("savepoint jcm_chunk")
        try db.beginCopy("copy jcm.readings (\(Self.readingColumns)) from stdin (format binary)")
        try db.putCopyData(BinaryCopyEncoder.header)
    }

    public func add(_ r: Reading, location: String) throws {
        let (meterID, lane) = lane(ofMeter: r.meterKey)
        let seq = lane.number()
        record.resetReading(r, batch: batch, seq: seq, meterID: meterID)
        lane.append(digestOf: record)
        if r.flags.isEmpty { counts.accepted += 1 } else { counts.flagged += 1 }
        if let group {
            Self.encode(r, batch: batch, seq: seq, into: &group.readings)
            return
        }
        slots.append((lane, seq))
        Self.encode(r, batch: batch, seq: seq, into: &rows)
        locations.append(location)
        if rows.bytes.count - sent >= Self.flushBytes { try flush() }
    }

    private static func encode(_ r: Reading, batch: Int64, seq: Int, into rows: inout BinaryCopyEncoder) {
        rows.beginRow(fields: 10)
        rows.int32(r.meterKey)
        rows.timestamptz(r.timestamp)
        rows.numeric(r.value)
        rows.text(r.rawValue)
        rows.text(r.rawUnit)
        rows.text(r.status)
        rows.textArray(r.flags.map(\.rawValue))
        rows.int64(batch)
        rows.jsonb(r.extra)
        rows.int32(Int32(seq))
    }

    public func add(_ rejection: Rejection) {
        number(rejection)
        counts.rejected += 1
    }

    private func number(_ r: Rejection) {
        let lane = ledger.lane(batch: batch, project: r.raw.meterID.flatMap { ledger.projectOfMeter[$0] } ?? "")
        let seq = lane.number()
        lane.append(
            digestOf: .rejection(
                batch: batch, seq: seq, meterID: r.raw.meterID.map(Self.clean), location: Self.clean(r.raw.location),
                reason: r.reason.rawValue,
                detail: Self.clean(r.detail), raw: Self.clean(r.raw.raw), microseconds: r.timestamp?.microseconds))
        rejections.append((r, seq))
    }

    /// The meter's id and its lane of this batch, looked up once per chunk.
    private func lane(ofMeter key: Int32) -> (String, LedgerWriter.Lane) {
        if let hit = lanes[key] { return hit }
        let meter = ledger.meters[key] ?? (id: "", project: "")
        let hit = (meter.id, ledger.lane(batch: batch, project: meter.project))
        lanes[key] = hit
        return hit
    }

    private func flush() throws {
        guard rows.bytes.count > sent else { return }
        let sender = self.sender ?? CopySender(db: db)
        self.sender = sender
        try sender.send(Array(rows.bytes[sent...]))
        sent = rows.bytes.count
    }

    // A chunk given up on an error returns its connection before the caller rolls back.
    deinit { try? sender?.finish() }

    /// Everything encoded so far handed to the server, on this thread again.
    private func sendRest() throws {
        if let sender {
            self.sender = nil
            try sender.finish()
        }
        guard rows.bytes.count > sent else { return }
        try rows.bytes.withUnsafeBytes { try db.putCopyData(UnsafeRawBufferPointer(rebasing: $0[sent...])) }
        sent = rows.bytes.count
    }

    /// Ends the COPY and writes the rejections. Durable once the caller's transaction commits.
    public func commit() throws -> ChunkCounts {
        if let group {
            for (r, seq) in rejections { Self.encode(r, batch: batch, seq: seq, into: &group.rejections) }
            try ledger.cutChunk(batch: batch, db: db)
            return counts
        }
        do {
            try sendRest()
            try db.putCopyData(BinaryCopyEncoder.trailer)
            try db.endCopy()
        } catch let error as PostgresError where error.isUniqueViolation || error.isDataError {
            try db.execute("rollback to savepoint jcm_chunk")
            try commitThroughStaging()
        }
        try writeRejections()
        try db.execute("release savepoint jcm_chunk")
        try ledger.cutChunk(batch: batch, db: db)
        return counts
    }

    private func commitThroughStaging() throws {
        try db.execute(
            """
            drop table if exists pg_temp.jcm_staging;
            create temp table jcm_staging (like jcm.readings) on commit drop;
            alter table jcm_staging add column ord bigint generated always as identity
            """)
        let staged = try db.copyIn(
            "copy jcm_staging (\(Self.readingColumns)) from stdin (format binary)", rows: rows.bytes)
        var refused: [(ord: Int, error: PostgresError)] = []
        let inserted = try insertStaged(1...max(1, staged), refused: &refused)
        let refusedOrds = PostgresArray.text(refused.map { String($0.ord) })
        // After the insert every key is stored: a staged row that differs from it lost to an
        // earlier value (stored before, by another writer meanwhile, or earlier in this chunk).
        let conflicts = try db.query(
            """
            select m.id,
                   'meter ' || m.id || ' at ' || s.ts || ': value ' || r.value ||
                   case when r.batch = s.batch then ' came earlier in the same batch'
                        else ' already stored by batch ' || r.batch end ||
                   ', this one is ' || s.value,
                   s.raw_value || ' ' || s.raw_unit, (extract(epoch from s.ts) * 1000000)::bigint
            from jcm_staging s
            join jcm.readings r on r.meter = s.meter and r.ts = s.ts
            join jcm.meters m on m.key = s.meter
            where r.value <> s.value and s.ord <> all($1::bigint[])
            order by s.ord
            """, [refusedOrds]
        )
        for c in conflicts {
            number(
                Rejection(
                    raw: RawReading(
                        meterID: try c.string(0), timestamp: nil, value: nil, unit: nil, location: source,
                        raw: try c.string(2)),
                    reason: .duplicateConflict, detail: try c.string(1),
                    timestamp: Timestamp(microseconds: try c.int64(3))))
        }
        // Rows the insert did not store keep their number in the ledger as an empty slot.
        for row in try db.query(
            """
            select s.ord from jcm_staging s
            where not exists (select 1 from jcm.readings r where r.meter = s.meter and r.ts = s.ts and r.batch = s.batch and r.seq = s.seq)
            """
        ) {
            let ord = try row.int(0)
            slots[ord - 1].lane.markAbsent(seq: slots[ord - 1].seq)
        }
        if !refused.isEmpty {
            let named = try db.query(
                """
                select s.ord, m.id, s.raw_value || ' ' || s.raw_unit from jcm_staging s left join jcm.meters m on m.key = s.meter
                where s.ord = any($1::bigint[])
                """, [refusedOrds]
            )
            var byOrd: [Int: (String?, String)] = [:]
            for row in named { byOrd[try row.int(0)] = (try row.nullable.string(1), try row.nullable.string(2) ?? "") }
            for (ord, error) in refused {
                let (meter, raw) = byOrd[ord] ?? (nil, "")
                number(
                    Rejection(
                        raw: RawReading(
                            meterID: meter, timestamp: nil, value: nil, unit: nil, location: locations[ord - 1],
                            raw: raw),
                        reason: .databaseRefused, detail: "the database refused the row: \(error)"))
            }
        }
        counts.rejected += conflicts.count + refused.count
        counts.duplicates = staged - inserted.accepted - inserted.flagged - conflicts.count - refused.count
        counts.accepted = inserted.accepted
        counts.flagged = inserted.flagged
    }

    /// Inserts staged rows `range` (by ord); a range the database refuses is halved until the
    /// refused rows stand alone.
    private func insertStaged(_ range: ClosedRange<Int>, refused: inout [(ord: Int, error: PostgresError)]) throws -> (
        accepted: Int, flagged: Int
    ) {
        try db.execute("savepoint jcm_part")
        do {
            let result = try db.query(
                """
                with ins as (
                    insert into jcm.readings (\(Self.readingColumns))
                    select \(Self.readingColumns) from jcm_staging where ord between $1 and $2 order by ord
                    on conflict (meter, ts) do nothing
                    returning status)
                select count(*) filter (where status = 'accepted'), count(*) filter (where status = 'flagged') from ins
                """, [String(range.lowerBound), String(range.upperBound)])
            try db.execute("release savepoint jcm_part")
            return (result[0, 0].flatMap(Int.init) ?? 0, result[0, 1].flatMap(Int.init) ?? 0)
        } catch let error as PostgresError where error.isDataError {
            try db.execute("rollback to savepoint jcm_part; release savepoint jcm_part")
            if range.count == 1 {
                refused.append((range.lowerBound, error))
                return (0, 0)
            }
            let mid = range.lowerBound + range.count / 2 - 1
            let low = try insertStaged(range.lowerBound...mid, refused: &refused)
            let high = try insertStaged(mid + 1...range.upperBound, refused: &refused)
            return (low.accepted + high.accepted, low.flagged + high.flagged)
        }
    }

    private func writeRejections() throws {
        guard !rejections.isEmpty else { return }
        try db.beginCopy("copy jcm.rejections (\(Self.rejectionColumns)) from stdin (format binary)")
        var e = BinaryCopyEncoder(reserving: 1 << 16)
        try db.putCopyData(BinaryCopyEncoder.header)
        for (r, seq) in rejections {
            Self.encode(r, batch: batch, seq: seq, into: &e)
            if e.bytes.count >= Self.flushBytes {
                try db.putCopyData(e.bytes)
                e.removeAll()
            }
        }
        try db.putCopyData(e.bytes)
        try db.putCopyData(BinaryCopyEncoder.trailer)
        try db.endCopy()
    }

    private static func encode(_ r: Rejection, batch: Int64, seq: Int, into e: inout BinaryCopyEncoder) {
        e.beginRow(fields: 8)
        e.int64(batch)
        e.optionalText(r.raw.meterID.map(Self.clean))
        e.text(Self.clean(r.raw.location))
        e.text(r.reason.rawValue)
        e.text(Self.clean(r.detail))
        e.text(Self.clean(r.raw.raw))
        if let t = r.timestamp { e.timestamptz(t) } else { e.null() }
        e.int32(Int32(seq))
    }

    /// PostgreSQL text cannot hold NUL; keep the rest verbatim.
    static func clean(_ s: String) -> String { PostgresText.text(s) }
}
