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
        let rows = try db.query("""
            insert into jcm.monitoring_periods (project, name, starts, ends) values ($1, $2, $3::timestamptz, $4::timestamptz)
            returning \(Self.columns)
            """, [project, name, starts.description, ends.description]).rows
        guard let p = rows.first.flatMap(Self.period) else { throw PostgresError(kind: .query, message: "the period was not recorded") }
        return p
    }

    public func periods(project: String?) throws -> [MonitoringPeriod] {
        try db.query("select \(Self.columns) from jcm.monitoring_periods where $1::text is null or project = $1 order by project, starts",
                     [project]).rows.compactMap(Self.period)
    }

    public func period(project: String, name: String) throws -> MonitoringPeriod? {
        try db.query("select \(Self.columns) from jcm.monitoring_periods where project = $1 and name = $2", [project, name]).rows.first.flatMap(Self.period)
    }

    static func period(_ row: [String?]) -> MonitoringPeriod? {
        guard let id = row[0].flatMap({ Int32($0) }), let project = row[1], let name = row[2], let s = row[3].flatMap({ Int64($0) }),
              let e = row[4].flatMap({ Int64($0) }), let at = row[8].flatMap({ Int64($0) }) else { return nil }
        return MonitoringPeriod(id: id, project: project, name: name, starts: Timestamp(microseconds: s), ends: Timestamp(microseconds: e),
                                headSeq: row[5].flatMap { Int64($0) }, headHash: row[6], declaredBy: row[7] ?? "", declaredAt: Timestamp(microseconds: at),
                                planVersion: row.count > 9 ? row[9].flatMap { Int32($0) } : nil, methodologySHA256: row.count > 10 ? row[10] : nil,
                                planValues: row.count > 11 ? row[11] : nil)
    }

    /// True when the chain still holds the head the period was frozen on.
    public func headIsInChain(_ p: MonitoringPeriod) throws -> Bool {
        guard let seq = p.headSeq else { return true }
        return try db.query("select encode(chain_hash, 'hex') = $3 from jcm.ledger where project = $1 and seq = $2",
                            [p.project, String(seq), p.headHash])[0, 0] == "t"
    }

    public func meterTotals(_ p: MonitoringPeriod) throws -> [PeriodMeterTotals] {
        try db.query("""
            select meter_id, kind, unit, coalesce(sum(delta), 0)::text,
                   coalesce(sum(delta) filter (where 'calibration_lapsed' = any(reasons)), 0)::text,
                   count(*), (max(delta) filter (where kind = 'interval'))::text, count(*) filter (where step <> 'normal'),
                   count(*) filter (where status = 'flagged'), count(corrected)
            from jcm.period_interval_values($1) group by meter_id, kind, unit order by meter_id
            """, [String(p.id)]).rows.compactMap { r in
            guard let meter = r[0], let kind = r[1], let unit = r[2], let measured = r[3].flatMap({ ExactDecimal(parsing: $0) }),
                  let lapsed = r[4].flatMap({ ExactDecimal(parsing: $0) }) else { return nil }
            return PeriodMeterTotals(meter: meter, kind: kind, unit: unit, measured: measured, lapsed: lapsed, readings: r[5].flatMap { Int($0) } ?? 0,
                                     largest: r[6].flatMap { ExactDecimal(parsing: $0) }, resets: r[7].flatMap { Int($0) } ?? 0,
                                     flagged: r[8].flatMap { Int($0) } ?? 0, corrected: r[9].flatMap { Int($0) } ?? 0)
        }
    }

    /// Readings for the period's project and time that arrived after it was frozen: kept, shown,
    /// not part of it.
    public func arrivedAfterFreeze(_ p: MonitoringPeriod) throws -> Int {
        try db.query("""
            select count(*) from jcm.readings r join jcm.meters m on m.key = r.meter
            where m.project = $1 and r.ts > $2::timestamptz and r.ts <= $3::timestamptz
              and not exists (select 1 from jcm.ledger l where l.batch = r.batch and l.project = $1 and l.seq <= coalesce($4::bigint, 0))
            """, [p.project, p.starts.description, p.ends.description, p.headSeq.map(String.init)])[0, 0].flatMap { Int($0) } ?? 0
    }

    /// Corrections applied to the period's readings: who, when, why.
    public func corrections(_ p: MonitoringPeriod) throws -> [[String?]] {
        try db.query("""
            select c.id, c.meter_id, c.ts, c.batch, c.value::text, c.reason, c.author, c.created_at
            from jcm.corrections c join jcm.meters m on m.id = c.meter_id
            where m.project = $1 and c.ts > $2::timestamptz and c.ts <= $3::timestamptz order by c.id
            """, [p.project, p.starts.description, p.ends.description]).rows
    }

    public static let datasetColumns = ["meter_id", "parameter", "kind", "unit", "ts_from", "ts_to", "delta", "step", "status", "reasons",
                                        "raw_value", "corrected_by", "batch", "seq", "batch_sha256", "plan_version", "link", "chain_hash"]

    /// Every input value of the period with its provenance, streamed in `datasetColumns` order.
    public func dataset(_ p: MonitoringPeriod, row: (CopyRow) throws -> Void) throws {
        let cursor = try db.copyOut("""
            copy (select v.meter_id, v.parameter, v.kind, v.unit, v.ts_from, v.ts_to, v.delta, v.step, v.status, array_to_string(v.reasons, ' '),
                         v.raw_value, v.corrected, v.batch, v.seq, b.sha256, b.plan_version, l.project || '#' || l.seq, encode(l.chain_hash, 'hex')
                  from jcm.period_interval_values(\(p.id)) v
                  join jcm.batches b on b.id = v.batch
                  left join jcm.ledger l on l.batch = v.batch and l.project = \(SQLLiteral.quote(p.project)) and v.seq between l.first_seq and l.last_seq
                  order by v.meter_id, v.ts_to) to stdout
            """)
        var r = CopyRow()
        while try cursor.next(into: &r) { try row(r) }
    }
}
