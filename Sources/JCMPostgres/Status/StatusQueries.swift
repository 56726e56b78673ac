import JCMCore

/// Reads the status at a glance from the views of migration 11 (jcm.meter_status,
/// jcm.chain_heads) and the last checkpoint, for `jcm-ingestd status`. The spool and the
/// daemon's own view are added by the caller, which knows the state folder.
public enum StatusQueries {
    /// RFC 3339 in UTC, whatever the session's TimeZone: the same text for every client.
    static func utc(_ column: String) -> String {
        "to_char(\(column) at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    }

    public static func load(_ db: Connection) throws -> StatusReport {
        let at = try db.query("select \(utc("now()"))")[0].string(0)
        let meters = try db.query(
            """
            select project, meter_id, parameter, polled, state, \(utc("last_reading_at")), last_value::text, unit, \(utc("down_since")),
                   last_error, completeness_today::text, \(utc("period_from")), completeness_period::text,
                   \(utc("calibration_valid_until")), calibration_certificate
            from jcm.meter_status order by project, meter_id
            """
        ).map { r in
            let text = r.nullable
            return StatusReport.Meter(
                project: try r.string(0), id: try r.string(1), parameter: try r.string(2),
                polled: try text.bool(3) ?? false, state: try text.string(4) ?? "", lastReadingAt: try text.string(5),
                lastValue: try text.string(6), unit: try r.string(7), downSince: try text.string(8),
                lastError: try text.string(9), completenessToday: try text.string(10), periodFrom: try text.string(11),
                completenessPeriod: try text.string(12), calibrationValidUntil: try text.string(13),
                calibrationCertificate: try text.string(14))
        }
        let chains = try db.query(
            "select project, seq, chain_hash, \(utc("sealed_at")) from jcm.chain_heads order by project"
        ).map { r in
            StatusReport.ChainHead(
                project: try r.string(0), seq: String(try r.int64(1)), chainHash: try r.string(2),
                sealedAt: try r.string(3))
        }
        return StatusReport(
            at: at, meters: meters, chains: chains, checkpoint: try checkpoint(db),
            spool: StatusReport.Spool(bytesOnDisk: 0, segments: 0))
    }

    /// The newest row of jcm.checkpoints (migration 10, signed checkpoints), when the schema has
    /// it (jcm.last_checkpoint(), migration 11).
    static func checkpoint(_ db: Connection) throws -> StatusReport.Checkpoint {
        guard try db.query("select to_regclass('jcm.checkpoints') is not null")[0].bool(0) else {
            return .unsupported
        }
        return try db.query("select jcm.last_checkpoint()::text")[0].nullable.string(0).map { .last($0) }
            ?? StatusReport.Checkpoint.none
    }
}
