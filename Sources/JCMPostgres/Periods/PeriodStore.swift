import JCMCore

/// Monitoring periods and what a frozen period holds. Every statement binds its values.
public struct PeriodStore {
    public let db: Connection

    public init(db: Connection) { self.db = db }

    static let columns = """
        id, project, name, (extract(epoch from starts) * 1000000)::bigint, (extract(epoch from ends) * 1000000)::bigint, head_seq,
        encode(head_hash, 'hex'), declared_by, (extract(epoch from declared_at) * 1000000)::bigint, plan_version, methodology_sha256,
        plan_values::text
        """

    /// Declares and freezes a period (the database refuses one that has not ended or overlaps).
    public func declare(project: String, name: String, starts: Timestamp, ends: Timestamp) throws -> MonitoringPeriod {
        let rows = try db.query(
            """
            insert into jcm.monitoring_periods (project, name, starts, ends) values ($1, $2, $3::timestamptz, $4::timestamptz)
            returning \(Self.columns)
            """, [.text(project), .text(name), .timestamp(starts), .timestamp(ends)]
        )
        guard let row = rows.first else { throw PostgresError(kind: .query, message: "the period was not recorded") }
        return try Self.period(row)
    }

    public func periods(project: String?) throws -> [MonitoringPeriod] {
        try db.query(
            "select \(Self.columns) from jcm.monitoring_periods where $1::text is null or project = $1 order by project, starts",
            [.text(project)]
        ).map(Self.period)
    }

    public func period(project: String, name: String) throws -> MonitoringPeriod? {
        try db.query(
            "select \(Self.columns) from jcm.monitoring_periods where project = $1 and name = $2",
            [.text(project), .text(name)]
        ).first.map(Self.period)
    }

    /// A row of `columns`.
    static func period(_ row: QueryRow) throws -> MonitoringPeriod {
        MonitoringPeriod(
            id: try row.int32(0), project: try row.string(1), name: try row.string(2),
            starts: Timestamp(microseconds: try row.int64(3)), ends: Timestamp(microseconds: try row.int64(4)),
            headSeq: try row.nullable.int64(5), headHash: try row.nullable.string(6),
            declaredBy: try row.nullable.string(7) ?? "", declaredAt: Timestamp(microseconds: try row.int64(8)),
            planVersion: try row.nullable.int32(9), methodologySHA256: try row.nullable.string(10),
            planValues: try row.nullable.string(11))
    }

    /// True when the chain still holds the head the period was frozen on.
    public func headIsInChain(_ p: MonitoringPeriod) throws -> Bool {
        guard let seq = p.headSeq else { return true }
        return try db.query(
            "select encode(chain_hash, 'hex') = $3 from jcm.ledger where project = $1 and seq = $2",
            [.text(p.project), .int(seq), .text(p.headHash)]
        ).first?.nullable.bool(0) == true
    }

    public func slots(_ p: MonitoringPeriod) throws -> [PeriodSlots] {
        try db.query(
            "select meter_id, expected, received, missing from jcm.period_slots($1) order by meter_id", [.int(p.id)]
        ).map { r in
            PeriodSlots(meter: try r.string(0), expected: try r.int(1), received: try r.int(2), missing: try r.int(3))
        }
    }

    /// Runs of missing intervals between readings of the project's meters that touch the period.
    public func gaps(_ p: MonitoringPeriod) throws -> [PeriodGap] {
        try db.query(
            """
            select meter_id, (extract(epoch from gap_from) * 1000000)::bigint, (extract(epoch from gap_to) * 1000000)::bigint, missing_intervals, cause
            from jcm.gaps where project = $1 and gap_to > $2::timestamptz and gap_from < $3::timestamptz order by meter_id, gap_from
            """, [.text(p.project), .timestamp(p.starts), .timestamp(p.ends)]
        ).map { r in
            PeriodGap(
                meter: try r.string(0), from: Timestamp(microseconds: try r.int64(1)),
                to: Timestamp(microseconds: try r.int64(2)), missing: try r.int(3), cause: try r.nullable.string(4))
        }
    }

    /// Readings for the period's project and time that arrived after it was frozen: kept, shown,
    /// not part of it.
    public func arrivedAfterFreeze(_ p: MonitoringPeriod) throws -> Int {
        try db.query(
            """
            select count(*) from jcm.readings r join jcm.meters m on m.key = r.meter
            where m.project = $1 and r.ts > $2::timestamptz and r.ts <= $3::timestamptz
              and not exists (select 1 from jcm.ledger l where l.batch = r.batch and l.project = $1 and l.seq <= coalesce($4::bigint, 0))
            """, [.text(p.project), .timestamp(p.starts), .timestamp(p.ends), .int(p.headSeq)])[0].int(0)
    }

    /// Corrections and resolutions recorded for the period's readings: who, when, why.
    public func corrections(_ p: MonitoringPeriod) throws -> [[String?]] {
        try db.query(
            """
            select c.id, c.meter_id, jcm.rfc3339(c.ts), c.batch, c.value::text, c.resolution,
                   c.old_final::text, c.new_start::text, c.reason, c.author, jcm.rfc3339(c.created_at)
            from jcm.corrections c join jcm.meters m on m.id = c.meter_id
            where m.project = $1 and c.ts > $2::timestamptz and c.ts <= $3::timestamptz order by c.id
            """, [.text(p.project), .timestamp(p.starts), .timestamp(p.ends)]
        ).rows
    }

    public static let correctionColumns = [
        "id", "meter_id", "ts", "batch", "value", "resolution", "old_final", "new_start", "reason",
        "author", "created_at",
    ]

    public static let datasetColumns = [
        "meter_id", "parameter", "kind", "unit", "ts_from", "ts_to", "delta", "share", "value",
        "parameter_unit", "step", "candidates", "lapsed", "status", "reasons", "raw_value", "raw_unit",
        "corrected_by", "resolved_by", "batch", "seq", "batch_sha256", "plan_version", "link", "chain_hash",
    ]

    /// Every input value of the period with its provenance, streamed in `datasetColumns` order.
    /// Times are RFC 3339 in UTC, as everywhere in the report.
    public func dataset(_ p: MonitoringPeriod, row: (CopyRow) throws -> Void) throws {
        let saved = try db.query("select current_setting('timezone'), current_setting('datestyle')")[0]
        let (zone, style) = (try saved.string(0), try saved.string(1))
        defer {
            _ = try? db.query(
                "select set_config('timezone', $1, false), set_config('datestyle', $2, false)", [zone, style])
        }
        let cursor = try startDataset(p, early: false)
        var r = CopyRow()
        while try Self.nextDatasetRow(cursor, into: &r) { try row(r) }
    }

    /// The session `startDataset` sets: its times are written as ISO text in UTC and made RFC
    /// 3339 as they are read (nextDatasetRow); jcm.rfc3339 on the server cost 5 s of a month of
    /// 1,000 meters.
    public static let datasetSession = "set timezone = 'UTC'; set datestyle = 'ISO'"

    /// A row of `startDataset`'s COPY, its times (ts_from, ts_to) as RFC 3339.
    public static func nextDatasetRow(_ cursor: CopyOutCursor, into r: inout CopyRow) throws -> Bool {
        guard try cursor.next(into: &r) else { return false }
        try r.rewriteISOTimestampAsRFC3339(4)
        try r.rewriteISOTimestampAsRFC3339(5)
        return true
    }

    /// Starts the dataset's COPY; `early`: returns at once, and the server computes it (evaluates
    /// the series and sorts it) while the caller does other work on another connection.
    /// Leaves the connection's session as `datasetSession` says.
    public func startDataset(_ p: MonitoringPeriod, early: Bool) throws -> CopyOutCursor {
        try db.execute(Self.datasetSession)
        try db.setParameter("dataset_period", .int(p.id), local: false)
        try db.setParameter("dataset_project", .text(p.project), local: false)
        // The period's links, once, as one row per batch: its links' seq ranges in order, the
        // row's found by binary search (width_bucket). A file batch has a link per chunk (59 for a
        // month of 1,000 meters): a join on the batch then tested every one of them per row.
        return try (early ? db.sendCopyOut : db.copyOut)(
            """
            copy (with links as materialized (
                      select l.batch, array_agg(l.first_seq order by l.first_seq) as firsts,
                             array_agg(l.last_seq order by l.first_seq) as lasts,
                             array_agg(l.project || '#' || l.seq order by l.first_seq) as names,
                             array_agg(encode(l.chain_hash, 'hex') order by l.first_seq) as hashes
                      from jcm.ledger l where l.project = \(Connection.parameter("dataset_project", as: "text")) group by l.batch)
                  select v.meter_id, v.parameter, v.kind, v.unit, v.ts_from, v.ts_to, v.delta, v.share, v.value, v.parameter_unit, v.step, v.candidates,
                         v.lapsed, v.status, array_to_string(v.reasons, ' '), v.raw_value, v.raw_unit, v.corrected, v.resolved, v.batch, v.seq,
                         b.sha256, b.plan_version, case when v.seq <= l.lasts[k.i] then l.names[k.i] end,
                         case when v.seq <= l.lasts[k.i] then l.hashes[k.i] end
                  from jcm.period_interval_values(\(Connection.parameter("dataset_period", as: "integer"))) v
                  join jcm.batches b on b.id = v.batch
                  left join links l on l.batch = v.batch
                  left join lateral (select width_bucket(v.seq, l.firsts) as i) k on true
                  order by v.meter_id, v.ts_to) to stdout
            """)
    }
}
