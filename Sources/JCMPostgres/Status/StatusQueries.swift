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
        let at = try db.query("select \(utc("now()"))")[0, 0] ?? ""
        let meters = try db.query(
            """
            select project, meter_id, parameter, polled, state, \(utc("last_reading_at")), last_value::text, unit, \(utc("down_since")),
                   last_error, completeness_today::text, \(utc("period_from")), completeness_period::text,
                   \(utc("calibration_valid_until")), calibration_certificate
            from jcm.meter_status order by project, meter_id
            """
        ).rows.map { r in
            StatusReport.Meter(
                project: r[0] ?? "", id: r[1] ?? "", parameter: r[2] ?? "", polled: r[3] == "t", state: r[4] ?? "",
                lastReadingAt: r[5], lastValue: r[6], unit: r[7] ?? "", downSince: r[8], lastError: r[9],
                completenessToday: r[10], periodFrom: r[11], completenessPeriod: r[12],
                calibrationValidUntil: r[13], calibrationCertificate: r[14])
        }
        let chains = try db.query(
            "select project, seq::text, chain_hash, \(utc("sealed_at")) from jcm.chain_heads order by project"
        ).rows.map { r in
            StatusReport.ChainHead(project: r[0] ?? "", seq: r[1] ?? "", chainHash: r[2] ?? "", sealedAt: r[3] ?? "")
        }
        return StatusReport(
            at: at, meters: meters, chains: chains, checkpoint: try checkpoint(db),
            spool: StatusReport.Spool(bytesOnDisk: 0, segments: 0))
    }

    /// The newest row of jcm.checkpoints (migration 10, signed checkpoints), when the schema has
    /// it (jcm.last_checkpoint(), migration 11).
    static func checkpoint(_ db: Connection) throws -> StatusReport.Checkpoint {
        guard try db.query("select to_regclass('jcm.checkpoints') is not null")[0, 0] == "t" else {
            return .unsupported
        }
        return try db.query("select jcm.last_checkpoint()::text")[0, 0].map { .last($0) }
            ?? StatusReport.Checkpoint.none
    }
}
