import JCMCore

extension ReadingStore {
    /// Each meter's newest reading time (one index lookup per meter), for the per-meter gauge
    /// jcm_meter_last_reading_timestamp_seconds at start and after a report.
    public func newestReadingTimes() throws -> [(meterID: String, timestamp: Timestamp)] {
        try db.query(
            """
            select m.id, (extract(epoch from r.ts) * 1000000)::bigint
            from jcm.meters m cross join lateral (select ts from jcm.readings where meter = m.key order by ts desc limit 1) r
            """
        ).map { row in (try row.string(0), Timestamp(microseconds: try row.int64(1))) }
    }

    /// The newest stored reading of each cumulative meter, to seed the validator after a restart.
    public func newestCumulative() throws -> [(meter: Int32, timestamp: Timestamp, value: ExactDecimal)] {
        try newest(where: "m.kind = 'cumulative'", []).map { ($0.key, $0.timestamp, $0.value) }
    }

    /// The newest stored reading of each of `meterIDs` that has one, by meter id (the writer's
    /// gap detection starts from them after a restart).
    public func newestReadings(ofMeters meterIDs: [String]) throws -> [String: (
        timestamp: Timestamp, value: ExactDecimal
    )] {
        guard !meterIDs.isEmpty else { return [:] }
        var out: [String: (timestamp: Timestamp, value: ExactDecimal)] = [:]
        for r in try newest(where: "m.id = any($1::text[])", [PostgresArray.text(meterIDs)]) {
            out[r.id] = (r.timestamp, r.value)
        }
        return out
    }

    /// One index lookup per meter chosen by `condition` (a fixed SQL text; values go in `params`).
    /// The value is in the meter's unit now: one written under a plan version with another unit
    /// (kWh before a change to MWh) is converted, so the next reading is judged against it.
    private func newest(where condition: String, _ params: [String?]) throws -> [(
        key: Int32, id: String, timestamp: Timestamp, value: ExactDecimal
    )] {
        try db.query(
            """
            select m.key, m.id, (extract(epoch from r.ts) * 1000000)::bigint,
                   (case when v.unit is null or v.unit = m.unit then r.value else jcm.convert_unit(r.value, v.unit, m.unit) end)::text
            from jcm.meters m cross join lateral (
                select ts, value, batch from jcm.readings where meter = m.key order by ts desc limit 1) r
            left join jcm.batches b on b.id = r.batch
            left join jcm.meter_versions v on v.version = b.plan_version and v.meter_id = m.id
            where \(condition)
            """, params
        ).map { row in
            (try row.int32(0), try row.string(1), Timestamp(microseconds: try row.int64(2)), try row.decimal(3))
        }
    }
}
