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
        ).rows.compactMap { row in
            guard let id = row[0], let micros = row[1].flatMap({ Int64($0) }) else { return nil }
            return (id, Timestamp(microseconds: micros))
        }
    }
}
