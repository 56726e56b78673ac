import JCMCore
import JCMCurl
import JCMPostgres

/// The pure half of writing polls: decode, then validate, outside any transaction. What it
/// returns (a `Batch`: rows and rejections in order, duplicates, gaps, the state the next group
/// starts from) is all the store needs to run its SQL and all the writer applies after commit.
///
/// Decoding is done once per poll (`decode`), so a group the server refuses is redone from the
/// decoded polls, never from their bodies. Validation is a fold over `State`, a value: a group
/// that rolls back leaves the writer's copy as it was.
enum PollStage {
    /// One poll as its body decoded, before validation. A class: a group's polls are passed
    /// and filtered whole several times, and a copy is then one retain, not one per field of
    /// the meter, its poll settings, the response and the batch row.
    final class Decoded: Sendable {
        let result: PollResult
        let spoolRecord: String?
        let meter: Config.Meter
        let poll: Config.Poll
        /// Its row of jcm.batches (url redacted, body digested).
        let record: BatchRecord
        let body: Body

        init(
            result: PollResult, spoolRecord: String?, meter: Config.Meter, poll: Config.Poll, record: BatchRecord,
            body: Body
        ) {
            self.result = result
            self.spoolRecord = spoolRecord
            self.meter = meter
            self.poll = poll
            self.record = record
            self.body = body
        }
    }

    enum Body: Sendable {
        /// 304: no new data since the last poll; counted, not an error.
        case notModified
        /// Refused whole: too large, a transport error, another status, or a body that does not decode.
        case refused(ReasonCode, String)
        case payload(DecodedPayload)
    }

    /// What validation carries from one group of polls to the next.
    struct State: Sendable {
        var validator: ReadingValidator
        /// The readings each polled meter had committed lately (RecentReadings).
        var recent: [Int32: RecentReadings] = [:]
        var gaps = GapDetector()
    }

    /// A poll's rows in the order they are numbered in the ledger.
    enum Row: Sendable {
        case reading(Reading)
        case rejection(Rejection)
    }

    /// One poll validated.
    struct Item: Sendable {
        var rows: [Row] = []
        /// Readings the same as ones their meter has stored lately: counted, not sent.
        var duplicates = 0
        /// The poll's own refusals (the body refused, or its one reading), logged after commit.
        var refusals: [(reason: ReasonCode, detail: String)] = []
        /// Only nulls, or periods not yet final: the meter answered, with nothing new.
        var answeredWithoutData = false
    }

    struct Batch: Sendable {
        /// One per poll, in their order.
        var items: [Item] = []
        /// Gaps before the polls' readings, to ask the backfiller for once committed.
        var gaps: [BackfillGap] = []
        /// The state after these polls, swapped in once committed.
        var state: State
    }

    /// A poll's outcome once its rows are counted (in the transaction: jcm.meter_state moves with it).
    struct Outcome: Sendable {
        var label: String
        var state: (meter: String, at: Timestamp, status: Int?, error: String?, etag: String?, lastModified: String?)
    }

    static func decode(_ result: PollResult, spoolRecord: String?, meter: Config.Meter, poll: Config.Poll) -> Decoded {
        let body: Body
        if result.notModified {
            body = .notModified
        } else if let (reason, detail) = refusedUnread(result, capSetting: "max_response_bytes") {
            body = .refused(reason, detail)
        } else {
            switch PollPayloadDecoder.decode(
                result.body, poll: poll, meterID: meter.id, contentType: result.contentType)
            {
            case .failure(let f): body = .refused(f.reason, f.detail)
            case .success(let payload): body = .payload(payload)
            }
        }
        return Decoded(
            result: result, spoolRecord: spoolRecord, meter: meter, poll: poll,
            record: batchRecord(result, spoolRecord: spoolRecord), body: body)
    }

    /// Validates `polls` in order from `state`. A reading the same as one of its meter's recent
    /// ones is counted as a duplicate here rather than sent: in a group, the server's refusal of
    /// it would redo the whole group.
    static func validate(_ polls: [Decoded], from state: State, now: Timestamp) -> Batch {
        var batch = Batch(state: state)
        batch.items.reserveCapacity(polls.count)
        for poll in polls {
            batch.items.append(validate(poll, state: &batch.state, gaps: &batch.gaps, now: now))
        }
        return batch
    }

    private static func validate(_ poll: Decoded, state: inout State, gaps: inout [BackfillGap], now: Timestamp)
        -> Item
    {
        var item = Item()
        let meter = poll.meter
        let result = poll.result
        func refuse(_ reason: ReasonCode, _ detail: String, at timestamp: Timestamp? = nil) {
            let raw = RawReading(
                meterID: meter.id, timestamp: nil, value: nil, unit: nil, location: poll.record.url ?? "",
                raw: String(decoding: result.body.prefix(4_096), as: UTF8.self))
            item.rows.append(.rejection(Rejection(raw: raw, reason: reason, detail: detail, timestamp: timestamp)))
            item.refusals.append((reason, detail))
        }
        switch poll.body {
        case .notModified: break
        case .refused(let reason, let detail): refuse(reason, detail)
        case .payload(let payload):
            // One reading keeps the body as its raw text when refused; many keep their element.
            let single = !poll.poll.payload.isHistory
            for r in payload.rejected { item.rows.append(.rejection(r)) }
            var kept: [Reading] = []
            var refused = payload.rejected.count
            for raw in payload.readings {
                switch state.validator.validate(raw, now: now, arrival: result.receivedAt, deviceTime: single) {
                case .accepted(let reading) where unfinished(reading, payload, meter, now: result.receivedAt):
                    continue
                case .accepted(let reading):
                    if state.recent[reading.meterKey]?.value(at: reading.timestamp) == reading.value {
                        item.duplicates += 1
                    } else {
                        item.rows.append(.reading(reading))
                        state.recent[reading.meterKey, default: RecentReadings()].add(reading.timestamp, reading.value)
                        kept.append(reading)
                    }
                case .rejected(let r) where single:
                    refuse(r.reason, r.detail, at: r.timestamp)
                    refused += 1
                case .rejected(let r):
                    item.rows.append(.rejection(r))
                    refused += 1
                }
            }
            if let gap = state.gaps.note(meter, kept, now: now) { gaps.append(gap) }
            item.answeredWithoutData = refused == 0
        }
        return item
    }

    /// The poll's outcome from what its chunk stored (`counts`, duplicates included).
    static func outcome(_ poll: Decoded, _ item: Item, _ counts: ChunkCounts) -> Outcome {
        let result = poll.result
        let answered = counts.accepted + counts.flagged + counts.duplicates > 0 || item.answeredWithoutData
        let label = result.notModified ? "not_modified" : answered ? "ok" : "failed"
        return Outcome(
            label: label,
            state: (
                result.meterID, result.receivedAt, result.status == 0 ? nil : result.status,
                label == "failed" ? failureText(result) : nil, result.etag, result.lastModified
            ))
    }

    /// An interval meter's reading for a period not yet final (DecodedPayload.periodMicroseconds):
    /// over, plus one more period for the devices' uploads to reach the vendor's cloud.
    static func unfinished(_ r: Reading, _ payload: DecodedPayload, _ meter: Config.Meter, now: Timestamp) -> Bool {
        guard meter.kind == .interval, let period = payload.periodMicroseconds else { return false }
        return r.timestamp.microseconds + 2 * period > now.microseconds
    }

    /// Why a poll brought no reading, in a word for jcm.meter_state (jcm.rejections has the detail).
    static func failureText(_ result: PollResult) -> String {
        switch result.failure {
        case .transport(let message)?: return message
        case .tooLarge(let cap)?: return "response larger than \(cap) bytes"
        case nil:
            return 200..<300 ~= result.status ? "the response held no valid reading" : "HTTP status \(result.status)"
        }
    }

    /// Why a response is refused before its body is read, if it is: too large (over the
    /// setting named), a transport error, or a status other than 200.
    static func refusedUnread(_ result: PollResult, capSetting: String) -> (ReasonCode, String)? {
        switch result.failure {
        case .tooLarge(let cap)?: return (.payloadTooLarge, "response larger than \(cap) bytes (\(capSetting))")
        case .transport(let message)?: return (.httpTransport, message)
        case nil where result.status != 200: return (.httpStatus, "HTTP status \(result.status)")
        case nil: return nil
        }
    }

    static func batchRecord(_ result: PollResult, spoolRecord: String?) -> BatchRecord {
        BatchRecord(
            kind: .poll, source: result.meterID, url: URLRedaction.redact(result.url),
            httpStatus: result.status == 0 ? nil : result.status,
            sha256: SHA256Hasher.hex(of: result.body), bytes: result.body.count, receivedAt: result.receivedAt,
            spoolRecord: spoolRecord)
    }
}
