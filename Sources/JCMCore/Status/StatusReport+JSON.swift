/// The status as one JSON document (`jcm-ingestd status --json`): the same fields as the
/// table and as jcm.meter_status, with nulls where the table prints "-". Completeness stays a
/// fraction and values stay exact decimals, as numbers.
extension StatusReport {
    public var json: String {
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        func number(_ s: String?) -> JSONValue {
            s.flatMap { ExactDecimal(parsing: $0) }.map { .number($0.description) } ?? .null
        }
        let meters: [JSONValue] = meters.map { m in
            .object([
                "project": .string(m.project), "meter_id": .string(m.id), "parameter": .string(m.parameter),
                "polled": .bool(m.polled),
                "state": .string(m.state), "down_since": text(m.downSince), "last_error": text(m.lastError),
                "last_reading_at": text(m.lastReadingAt), "last_value": number(m.lastValue), "unit": .string(m.unit),
                "completeness_today": number(m.completenessToday), "period_from": text(m.periodFrom),
                "completeness_period": number(m.completenessPeriod),
                "calibration_valid_until": text(m.calibrationValidUntil),
                "calibration_certificate": text(m.calibrationCertificate),
            ])
        }
        let chains: [JSONValue] = chains.map { c in
            .object([
                "project": .string(c.project), "seq": number(c.seq), "chain_hash": .string(c.chainHash),
                "sealed_at": .string(c.sealedAt),
            ])
        }
        let checkpoint: JSONValue
        switch self.checkpoint {
        case .unsupported, .none: checkpoint = .null
        case .last(let row): checkpoint = (try? JSON.parse(row)) ?? .string(row)
        }
        let spool: JSONValue = .object([
            "bytes_on_disk": .number(String(self.spool.bytesOnDisk)), "segments": .number(String(self.spool.segments)),
            "pending_bytes": self.spool.pendingBytes.map { .number(String(Int64($0))) } ?? .null,
            "age_seconds": self.spool.ageSeconds.map { .number(String(Int64($0.rounded()))) } ?? .null,
        ])
        let daemon: JSONValue =
            self.daemon.map { .object(["listen": .string($0.listen), "answered": .bool($0.answered)]) } ?? .null
        return JSONValue.object([
            "at": .string(at), "meters": .array(meters), "chains": .array(chains), "checkpoint": checkpoint,
            "checkpoints_supported": .bool(self.checkpoint != .unsupported),
            "spool": spool, "daemon": daemon,
        ]).compactText + "\n"
    }
}
