import JCMCore
import JCMCurl

/// The pure stage of a history response (a backfill request's answer): decoded by the history
/// profile and validated by the same rules as a poll, outside the transaction. A counter's
/// history is checked from the reading before the gap, not against the newest reading (which
/// would flag all of it out_of_order); the validator's own state is left as it was, since
/// everything here is older than what it has seen.
enum HistoryStage {
    struct Batch {
        var rows: [PollStage.Row] = []
        var refusals: [(reason: ReasonCode, detail: String)] = []
        /// Rows outside the gap's window: not written.
        var outside = 0
        /// The newest reading kept (where the next part of the gap is checked from).
        var last: BackfillMark?
    }

    /// - Parameters:
    ///   - from: the reading the history starts after (the gap's, or the previous part's newest).
    static func run(
        _ job: BackfillResult, meter: Config.Meter, key: Int32, backfill b: Config.Backfill, from start: BackfillMark,
        last: BackfillMark?, validator: ReadingValidator, url: String, now: Timestamp
    ) -> Batch {
        let result = job.response
        var batch = Batch(last: last)
        func refuse(_ reason: ReasonCode, _ detail: String) {
            let raw = RawReading(
                meterID: meter.id, timestamp: nil, value: nil, unit: nil, location: url,
                raw: String(decoding: result.body.prefix(4_096), as: UTF8.self))
            batch.rows.append(.rejection(Rejection(raw: raw, reason: reason, detail: detail)))
            batch.refusals.append((reason, detail))
        }
        if let (reason, detail) = PollStage.refusedUnread(result, capSetting: "backfill.max_response_bytes") {
            refuse(reason, detail)
            return batch
        }
        switch PollPayloadDecoder.decode(result.body, profile: b.profile, meterID: meter.id) {
        case .failure(let f): refuse(f.reason, f.detail)
        case .success(let payload):
            for r in payload.rejected { batch.rows.append(.rejection(r)) }
            var history = validator
            if meter.kind == .cumulative {
                history.seed(meterKey: key, timestamp: start.timestamp, value: start.value)
            }
            func inside(_ t: Timestamp?) -> Bool {
                t.map { $0 > job.window.after && $0 <= job.window.through } ?? true
            }
            for raw in payload.readings {
                switch history.validate(raw, now: now) {
                case .accepted(let reading) where PollStage.unfinished(reading, payload, meter, now: result.receivedAt):
                    continue
                case .accepted(let reading):
                    guard inside(reading.timestamp) else {
                        batch.outside += 1
                        continue
                    }
                    batch.rows.append(.reading(reading))
                    if batch.last.map({ $0.timestamp < reading.timestamp }) ?? true {
                        batch.last = BackfillMark(timestamp: reading.timestamp, value: reading.value)
                    }
                case .rejected(let r):
                    guard inside(r.timestamp) else {
                        batch.outside += 1
                        continue
                    }
                    batch.rows.append(.rejection(r))
                }
            }
        }
        return batch
    }
}
