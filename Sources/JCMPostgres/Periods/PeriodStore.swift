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
            """, [project, name, starts.description, ends.description]
        ).rows
        guard let p = rows.first.flatMap(Self.period) else {
            throw PostgresError(kind: .query, message: "the period was not recorded")
        }
        return p
    }

    public func periods(project: String?) throws -> [MonitoringPeriod] {
        try db.query(
            "select \(Self.columns) from jcm.monitoring_periods where $1::text is null or project = $1 order by project, starts",
            [project]
        ).rows.compactMap(Self.period)
    }

    public func period(project: String, name: String) throws -> MonitoringPeriod? {
        try db.query(
            "select \(Self.columns) from jcm.monitoring_periods where project = $1 and name = $2", [project, name]
        ).rows.first.flatMap(Self.period)
    }

    static func period(_ row: [String?]) -> MonitoringPeriod? {
        guard let id = row[0].flatMap({ Int32($0) }), let project = row[1], let name = row[2],
            let s = row[3].flatMap({ Int64($0) }),
            let e = row[4].flatMap({ Int64($0) }), let at = row[8].flatMap({ Int64($0) })
        else { return nil }
        return MonitoringPeriod(
            id: id, project: project, name: name, starts: Timestamp(microseconds: s), ends: Timestamp(microseconds: e),
            headSeq: row[5].flatMap { Int64($0) }, headHash: row[6], declaredBy: row[7] ?? "",
            declaredAt: Timestamp(microseconds: at),
            planVersion: row.count > 9 ? row[9].flatMap { Int32($0) } : nil,
            methodologySHA256: row.count > 10 ? row[10] : nil,
            planValues: row.count > 11 ? row[11] : nil)
    }

    /// True when the chain still holds the head the period was frozen on.
    public func headIsInChain(_ p: MonitoringPeriod) throws -> Bool {
        guard let seq = p.headSeq else { return true }
        return try db.query(
            "select encode(chain_hash, 'hex') = $3 from jcm.ledger where project = $1 and seq = $2",
            [p.project, String(seq), p.headHash])[0, 0] == "t"
    }

    public func meterTotals(_ p: MonitoringPeriod) throws -> [PeriodMeterTotals] {
        let lapses = try db.query(
            """
            select meter_id, lapse_error_pct::text, sum(share)::text from jcm.period_interval_values($1)
            where lapsed and share is not null group by meter_id, lapse_error_pct order by meter_id, lapse_error_pct
            """, [String(p.id)]
        ).rows
        return try db.query(
            """
            select meter_id, kind, unit, coalesce(sum(share), 0)::text,
                   count(*) filter (where ts_to > $2::timestamptz and ts_to <= $3::timestamptz),
                   count(*) filter (where step not in ('first', 'held')), (max(share) filter (where kind = 'interval' and step <> 'held'))::text,
                   count(*) filter (where step = 'rollover'), count(*) filter (where step = 'reset'), count(*) filter (where step = 'held'),
                   count(resolved), count(*) filter (where lapsed), count(*) filter (where status = 'flagged'), count(corrected),
                   count(*) filter (where 'out_of_order' = any(reasons) and ts_to > $2::timestamptz and ts_to <= $3::timestamptz),
                   count(*) filter (where share is distinct from delta and delta is not null)
            from jcm.period_interval_values($1) group by meter_id, kind, unit order by meter_id
            """, [String(p.id), p.starts.description, p.ends.description]
        ).rows.compactMap { r in
            guard let meter = r[0], let kind = r[1], let unit = r[2],
                let measured = r[3].flatMap({ ExactDecimal(parsing: $0) })
            else { return nil }
            func int(_ i: Int) -> Int { r[i].flatMap { Int($0) } ?? 0 }
            let own = lapses.filter { $0[0] == meter }.compactMap { l in
                l[2].flatMap { ExactDecimal(parsing: $0) }.map {
                    MeterPeriodInput.Lapse(amount: $0, errorPercent: l[1].flatMap { ExactDecimal(parsing: $0) })
                }
            }
            return PeriodMeterTotals(
                meter: meter, kind: kind, unit: unit, measured: measured, lapses: own, readings: int(4),
                counted: int(5),
                largest: r[6].flatMap { ExactDecimal(parsing: $0) }, rollovers: int(7), resets: int(8), held: int(9),
                resolved: int(10), lapsedIntervals: int(11), flagged: int(12), corrected: int(13), late: int(14),
                split: int(15))
        }
    }

    /// Held steps and the steps credited as rollovers, resets, replacements or confirmed.
    public func steps(_ p: MonitoringPeriod) throws -> [PeriodStep] {
        try db.query(
            """
            select meter_id, (extract(epoch from ts_from) * 1000000)::bigint, (extract(epoch from ts_to) * 1000000)::bigint, step,
                   delta::text, share::text, candidates, array_to_string(reasons, ' '), resolved
            from jcm.period_interval_values($1) where step in ('held', 'rollover', 'reset', 'replacement', 'confirmed')
            order by meter_id, ts_to
            """, [String(p.id)]
        ).rows.compactMap { r in
            guard let meter = r[0], let to = r[2].flatMap({ Int64($0) }), let step = r[3] else { return nil }
            return PeriodStep(
                meter: meter, from: r[1].flatMap { Int64($0) }.map(Timestamp.init(microseconds:)),
                to: Timestamp(microseconds: to),
                step: step, delta: r[4].flatMap { ExactDecimal(parsing: $0) },
                share: r[5].flatMap { ExactDecimal(parsing: $0) },
                candidates: r[6], reasons: r[7] ?? "", resolvedBy: r[8].flatMap { Int64($0) })
        }
    }

    public func slots(_ p: MonitoringPeriod) throws -> [PeriodSlots] {
        try db.query(
            "select meter_id, expected, received, missing from jcm.period_slots($1) order by meter_id", [String(p.id)]
        ).rows.compactMap { r in
            guard let meter = r[0], let e = r[1].flatMap({ Int($0) }), let got = r[2].flatMap({ Int($0) }),
                let miss = r[3].flatMap({ Int($0) })
            else { return nil }
            return PeriodSlots(meter: meter, expected: e, received: got, missing: miss)
        }
    }

    /// Runs of missing intervals between readings of the project's meters that touch the period.
    public func gaps(_ p: MonitoringPeriod) throws -> [PeriodGap] {
        try db.query(
            """
            select meter_id, (extract(epoch from gap_from) * 1000000)::bigint, (extract(epoch from gap_to) * 1000000)::bigint, missing_intervals, cause
            from jcm.gaps where project = $1 and gap_to > $2::timestamptz and gap_from < $3::timestamptz order by meter_id, gap_from
            """, [p.project, p.starts.description, p.ends.description]
        ).rows.compactMap { r in
            guard let meter = r[0], let f = r[1].flatMap({ Int64($0) }), let t = r[2].flatMap({ Int64($0) }),
                let n = r[3].flatMap({ Int($0) })
            else { return nil }
            return PeriodGap(
                meter: meter, from: Timestamp(microseconds: f), to: Timestamp(microseconds: t), missing: n, cause: r[4])
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
            """, [p.project, p.starts.description, p.ends.description, p.headSeq.map(String.init)])[0, 0].flatMap {
                Int($0)
            } ?? 0
    }

    /// Corrections and resolutions recorded for the period's readings: who, when, why.
    public func corrections(_ p: MonitoringPeriod) throws -> [[String?]] {
        try db.query(
            """
            select c.id, c.meter_id, jcm.rfc3339(c.ts), c.batch, c.value::text, c.resolution,
                   c.old_final::text, c.new_start::text, c.reason, c.author, jcm.rfc3339(c.created_at)
            from jcm.corrections c join jcm.meters m on m.id = c.meter_id
            where m.project = $1 and c.ts > $2::timestamptz and c.ts <= $3::timestamptz order by c.id
            """, [p.project, p.starts.description, p.ends.description]
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
        let cursor = try db.copyOut(
            """
            copy (select v.meter_id, v.parameter, v.kind, v.unit, jcm.rfc3339(v.ts_from), jcm.rfc3339(v.ts_to), v.delta, v.share, v.value, v.parameter_unit, v.step, v.candidates,
                         v.lapsed, v.status, array_to_string(v.reasons, ' '), v.raw_value, v.raw_unit, v.corrected, v.resolved, v.batch, v.seq,
                         b.sha256, b.plan_version, l.project || '#' || l.seq, encode(l.chain_hash, 'hex')
                  from jcm.period_interval_values(\(p.id)) v
                  join jcm.batches b on b.id = v.batch
                  left join jcm.ledger l on l.batch = v.batch and l.project = \(SQLLiteral.quote(p.project)) and v.seq between l.first_seq and l.last_seq
                  order by v.meter_id, v.ts_to) to stdout
            """)
        var r = CopyRow()
        while try cursor.next(into: &r) { try row(r) }
    }
}
