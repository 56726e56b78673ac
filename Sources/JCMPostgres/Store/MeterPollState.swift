import JCMCore

/// What one group of polls says about one meter, folded in poll order: the row jcm.meter_state
/// is moved by. Failures are counted from the last success in the group (or all of them, added
/// to the stored count, when none succeeded).
public struct MeterPollState: Sendable, Equatable {
    public var meterID: String
    public var lastPollAt: Timestamp
    public var lastStatus: Int?
    public var lastSuccessAt: Timestamp?
    public var lastError: String?
    public var lastErrorAt: Timestamp?
    public var trailingFailures = 0
    public var etag: String?
    public var lastModified: String?

    public init(meterID: String, at t: Timestamp) {
        self.meterID = meterID
        self.lastPollAt = t
    }

    /// Folds polls (meter, time, status, error or nil when it succeeded, validators) in order.
    public static func fold(
        _ polls: [(meter: String, at: Timestamp, status: Int?, error: String?, etag: String?, lastModified: String?)]
    ) -> [MeterPollState] {
        var order: [String] = []
        var byMeter: [String: MeterPollState] = [:]
        for p in polls {
            var s =
                byMeter[p.meter]
                ?? {
                    order.append(p.meter)
                    return MeterPollState(meterID: p.meter, at: p.at)
                }()
            s.lastPollAt = p.at
            s.lastStatus = p.status
            s.etag = p.etag
            s.lastModified = p.lastModified
            if let error = p.error {
                s.lastError = error
                s.lastErrorAt = p.at
                s.trailingFailures += 1
            } else {
                s.lastSuccessAt = p.at
                s.trailingFailures = 0
            }
            byMeter[p.meter] = s
        }
        return order.compactMap { byMeter[$0] }
    }
}

extension ReadingStore {
    /// Moves jcm.meter_state by one group of polls, in the caller's transaction.
    public func recordPollStates(_ states: [MeterPollState]) throws {
        guard !states.isEmpty else { return }
        func text(_ f: (MeterPollState) -> String?) -> String? { PostgresArray.text(states.map(f)) }
        try db.query(
            """
            insert into jcm.meter_state as s (meter_id, last_poll_at, last_status, last_success_at, last_error, last_error_at,
                                              consecutive_failures, down_since, etag, last_modified)
            select meter_id, last_poll_at, last_status, last_success_at, last_error, last_error_at, failures,
                   case when failures >= 3 then last_poll_at end, etag, last_modified
            from unnest($1::text[], $2::timestamptz[], $3::int[], $4::timestamptz[], $5::text[], $6::timestamptz[], $7::int[], $8::text[], $9::text[])
                as u(meter_id, last_poll_at, last_status, last_success_at, last_error, last_error_at, failures, etag, last_modified)
            on conflict (meter_id) do update set
                last_poll_at = excluded.last_poll_at,
                last_status = excluded.last_status,
                last_success_at = coalesce(excluded.last_success_at, s.last_success_at),
                last_error = coalesce(excluded.last_error, s.last_error),
                last_error_at = coalesce(excluded.last_error_at, s.last_error_at),
                consecutive_failures = case when excluded.last_success_at is null then s.consecutive_failures + excluded.consecutive_failures
                                            else excluded.consecutive_failures end,
                down_since = case
                    when excluded.last_success_at is null and s.consecutive_failures + excluded.consecutive_failures >= 3
                        then coalesce(s.down_since, excluded.last_poll_at)
                    when excluded.last_success_at is not null and excluded.consecutive_failures >= 3 then excluded.last_poll_at
                    end,
                etag = excluded.etag,
                last_modified = excluded.last_modified,
                updated_at = now()
            """,
            [
                text { $0.meterID }, text { $0.lastPollAt.description }, text { $0.lastStatus.map(String.init) },
                text { $0.lastSuccessAt?.description }, text { $0.lastError }, text { $0.lastErrorAt?.description },
                text { String($0.trailingFailures) }, text { $0.etag }, text { $0.lastModified },
            ])
    }

    /// What a restart carries over for each meter: the validators it last answered with, and how
    /// many polls in a row have failed.
    public func storedPollStates() throws -> [String: (etag: String?, lastModified: String?, failures: Int)] {
        var out: [String: (etag: String?, lastModified: String?, failures: Int)] = [:]
        for row in try db.query("select meter_id, etag, last_modified, consecutive_failures from jcm.meter_state") {
            out[try row.string(0)] = (
                try row.nullable.string(1), try row.nullable.string(2), try row.nullable.int(3) ?? 0
            )
        }
        return out
    }
}
