import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Logging

/// The writer's side of backfill: noticing gaps in what it writes, and writing what the
/// Backfiller fetched for them. Everything here runs on the writer thread except `attach` and
/// `detach`, called by the sources as they start and stop.
final class WriterBackfill: @unchecked Sendable {
    private let lock = NSLock()
    private var backfiller: Backfiller?
    /// Gaps a stopped backfiller had not finished, for the next one (a reload).
    private var leftover: [BackfillGap] = []
    /// Every gap asked for and not yet written whole, as `pendingFile` holds them for the next
    /// start: those a stop or a crash interrupted, and those whose history request failed.
    private var outstanding: [BackfillGap] = []
    private let pendingFile: String?
    private let logger: Logger

    /// The newest reading of each backfilled meter, as committed and as the open group of polls
    /// has it: a group rolled back leaves `committed` as it was.
    var committed: [String: BackfillMark] = [:]
    var working: [String: BackfillMark] = [:]
    /// Meters whose newest stored reading has been read from the database.
    var seeded: Set<String> = []
    var found: [BackfillGap] = []
    /// Set by a poll that answered with no data at all (SolarEdge at night): not a failure.
    var answeredWithoutData = false
    /// The gaps being written: rows so far, the newest reading kept, and whether a request
    /// failed, by gap id.
    var progress: [Int: (counts: ChunkCounts, outside: Int, last: BackfillMark?, failed: Bool)] = [:]

    /// - Parameter pendingFile: where gaps outlive the process (PendingGaps); nil keeps them in memory.
    init(pendingFile: String?, logger: Logger) {
        self.pendingFile = pendingFile
        self.logger = logger
        guard let pendingFile, let data = FileManager.default.contents(atPath: pendingFile) else { return }
        guard let gaps = PendingGaps.decode(data) else {
            logger.error(
                "backfill: the file of pending gaps does not read as one; left as it is, those gaps are not asked for",
                metadata: ["file": "\(pendingFile)"])
            return
        }
        leftover = gaps
        outstanding = gaps
        if !gaps.isEmpty {
            logger.notice(
                "backfill: gaps left by the last run are asked for again",
                metadata: ["gaps": "\(gaps.count)", "file": "\(pendingFile)"])
        }
    }

    func attach(_ b: Backfiller) {
        lock.withLock {
            backfiller = b
            for gap in leftover { b.request(gap) }
            leftover = []
        }
    }

    func detach() {
        lock.withLock {
            leftover += backfiller?.stop() ?? []
            backfiller = nil
        }
    }

    func request(_ gaps: [BackfillGap]) {
        lock.withLock {
            outstanding += gaps
            save()
            guard let backfiller else {
                leftover += gaps
                return
            }
            for gap in gaps { backfiller.request(gap) }
        }
    }

    /// A request of `gap` failed: it is asked for again later (and stays outstanding meanwhile).
    func retry(_ gap: BackfillGap) {
        lock.withLock {
            guard let backfiller else {
                leftover.append(gap)
                return
            }
            backfiller.retry(gap)
        }
    }

    /// Every part of `gap` is written: the gaps it covers are done. The Backfiller may have
    /// merged several into it, or cut its start at the horizon, but its end is theirs.
    func done(_ gap: BackfillGap) {
        lock.withLock {
            let before = outstanding.count
            outstanding.removeAll {
                $0.meterID == gap.meterID && $0.window.through <= gap.window.through
                    && $0.window.through > gap.window.after
            }
            if outstanding.count != before { save() }
        }
    }

    /// Writes `outstanding` to `pendingFile` (removed when there is none). Called with the lock held.
    private func save() {
        guard let pendingFile else { return }
        do {
            if outstanding.isEmpty {
                if FileManager.default.fileExists(atPath: pendingFile) {
                    try FileManager.default.removeItem(atPath: pendingFile)
                }
                return
            }
            try FileManager.default.createDirectory(
                atPath: (pendingFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try PendingGaps.encode(outstanding).write(to: URL(fileURLWithPath: pendingFile), options: .atomic)
        } catch {
            logger.warning(
                "backfill: pending gaps could not be kept; a restart forgets them",
                metadata: ["file": "\(pendingFile)", "error": "\(error)"])
        }
    }
}

extension IngestWriter {
    /// A gap is a reading more than this many expected intervals after the one before it.
    static let gapFactor = 1.5

    func beginPollGroup() {
        backfill.working = backfill.committed
        backfill.found = []
    }

    /// After the group's commit: its readings are now the meters' newest, its gaps are asked for.
    func commitPollGroup() {
        backfill.committed = backfill.working
        if !backfill.found.isEmpty { backfill.request(backfill.found) }
        backfill.found = []
    }

    /// The newest stored reading of a backfilled meter, read once (before the poll's COPY
    /// starts): after a restart, the first poll's gap is measured from it.
    func seedBackfillMark(_ meter: Config.Meter, store: ReadingStore) throws {
        guard meter.poll?.backfill != nil, !backfill.seeded.contains(meter.id) else { return }
        let rows = try store.db.query(
            """
            select (extract(epoch from r.ts) * 1000000)::bigint, r.value::text
            from jcm.meters m cross join lateral (select ts, value from jcm.readings where meter = m.key order by ts desc limit 1) r
            where m.id = $1
            """, [meter.id]
        ).rows
        backfill.seeded.insert(meter.id)
        guard let row = rows.first, let micros = row[0].flatMap({ Int64($0) }),
            let value = row[1].flatMap({ ExactDecimal(parsing: $0) })
        else { return }
        let mark = BackfillMark(timestamp: Timestamp(microseconds: micros), value: value)
        if backfill.committed[meter.id].map({ $0.timestamp < mark.timestamp }) ?? true {
            backfill.committed[meter.id] = mark
        }
        if backfill.working[meter.id].map({ $0.timestamp < mark.timestamp }) ?? true {
            backfill.working[meter.id] = mark
        }
    }

    /// The readings one poll of `meter` stored: a gap before the oldest new one is asked for.
    func noteForBackfill(_ meter: Config.Meter, _ readings: [Reading]) {
        guard let poll = meter.poll, let b = poll.backfill else { return }
        let previous = backfill.working[meter.id]
        let newer = readings.filter { r in previous.map { r.timestamp > $0.timestamp } ?? true }
        guard let oldest = newer.min(by: { $0.timestamp < $1.timestamp }),
            let newest = newer.max(by: { $0.timestamp < $1.timestamp })
        else { return }
        backfill.working[meter.id] = BackfillMark(timestamp: newest.timestamp, value: newest.value)
        guard let previous else { return }
        let expected = Double(max(poll.intervalMilliseconds, meter.plan.expectedIntervalMilliseconds ?? 0)) * 1_000
        guard Double(oldest.timestamp.microseconds - previous.timestamp.microseconds) > expected * Self.gapFactor else {
            return
        }
        let horizon = Timestamp(date: Date()).microseconds - b.horizonMilliseconds * 1_000
        let after = Timestamp(microseconds: max(previous.timestamp.microseconds, horizon))
        let through = Timestamp(microseconds: oldest.timestamp.microseconds - 1)  // the reading after the gap is stored
        guard after < through else { return }
        backfill.found.append(
            BackfillGap(
                meterID: meter.id, window: HistoryRequest.Window(after: after, through: through), before: previous))
    }

    /// An interval meter's reading for a period not yet final (DecodedPayload.periodMicroseconds):
    /// over, plus one more period for the devices' uploads to reach the vendor's cloud.
    static func unfinished(_ r: Reading, _ payload: DecodedPayload, _ meter: Config.Meter, now: Timestamp) -> Bool {
        guard meter.kind == .interval, let period = payload.periodMicroseconds else { return false }
        return r.timestamp.microseconds + 2 * period > now.microseconds
    }

    /// One history response, written like a poll: a `poll` batch with the request's redacted URL,
    /// its readings decoded by the history profile and validated by the same rules. A counter's
    /// history is checked from the reading before the gap, not against the newest reading (which
    /// would flag all of it out_of_order); the validator's own state is left as it was, since
    /// everything here is older than what it has seen.
    func writeBackfill(_ job: BackfillResult) throws {
        guard let store, let validator else { return }
        guard let entry = validator.registry.lookup(job.gap.meterID), let b = entry.meter.poll?.backfill else {
            logger.warning(
                "history of a meter no longer configured for backfill; not written",
                metadata: ["meter.id": "\(job.gap.meterID)"])
            return
        }
        let meter = entry.meter
        let result = job.response
        let url = URLRedaction.redact(result.url)
        var progress = backfill.progress[job.gap.id] ?? (ChunkCounts(), 0, nil, false)
        var counts = ChunkCounts()
        var outside = 0
        var last = progress.last
        try store.transaction {
            guard
                let batch = try store.insertBatch(
                    BatchRecord(
                        kind: .poll, source: meter.id, url: url, httpStatus: result.status == 0 ? nil : result.status,
                        sha256: SHA256Hasher.hex(of: result.body), bytes: result.body.count,
                        receivedAt: result.receivedAt))
            else { return }
            let chunk = try store.beginChunk(batch: batch, source: meter.id)
            let excerpt = String(decoding: result.body.prefix(4_096), as: UTF8.self)
            func refuse(_ reason: ReasonCode, _ detail: String) {
                chunk.add(
                    Rejection(
                        raw: RawReading(
                            meterID: meter.id, timestamp: nil, value: nil, unit: nil, location: url, raw: excerpt),
                        reason: reason, detail: detail))
                logger.warning(
                    "backfill request rejected",
                    metadata: ["meter.id": "\(meter.id)", "reason": "\(reason.rawValue)", "detail": "\(detail)"])
            }
            if let (reason, detail) = Self.refusedUnread(result, capSetting: "backfill.max_response_bytes") {
                refuse(reason, detail)
            } else {
                switch PollPayloadDecoder.decode(result.body, profile: b.profile, meterID: meter.id) {
                case .failure(let f): refuse(f.reason, f.detail)
                case .success(let payload):
                    for r in payload.rejected { chunk.add(r) }
                    var history = validator
                    let start = last ?? job.gap.before
                    if meter.kind == .cumulative {
                        history.seed(meterKey: entry.key, timestamp: start.timestamp, value: start.value)
                    }
                    func inside(_ t: Timestamp?) -> Bool {
                        t.map { $0 > job.window.after && $0 <= job.window.through } ?? true
                    }
                    for raw in payload.readings {
                        switch history.validate(raw, now: Timestamp(date: Date())) {
                        case .accepted(let reading)
                        where Self.unfinished(reading, payload, meter, now: result.receivedAt): continue
                        case .accepted(let reading):
                            guard inside(reading.timestamp) else {
                                outside += 1
                                continue
                            }
                            try chunk.add(reading, location: url)
                            if last.map({ $0.timestamp < reading.timestamp }) ?? true {
                                last = BackfillMark(timestamp: reading.timestamp, value: reading.value)
                            }
                        case .rejected(let r):
                            guard inside(r.timestamp) else {
                                outside += 1
                                continue
                            }
                            chunk.add(r)
                        }
                    }
                }
            }
            counts = try chunk.commit()
        }
        count(counts)
        let answered = result.succeeded && result.status == 200
        metrics.add("jcm_backfill_requests_total", "result=\"\(answered ? "ok" : "failed")\"")
        metrics.add("jcm_backfill_readings_total", "", Double(counts.accepted + counts.flagged))
        progress.counts += counts
        progress.outside += outside
        progress.last = last
        progress.failed = progress.failed || !answered
        guard job.part == job.parts else {
            backfill.progress[job.gap.id] = progress
            return
        }
        backfill.progress[job.gap.id] = nil
        if progress.failed {
            backfill.retry(job.gap)
            logger.warning(
                "backfill: a history request of this gap failed; the gap is asked for again after the meter's backoff_max, or at the next start",
                metadata: [
                    "meter.id": "\(meter.id)", "gap.after": "\(job.gap.window.after)",
                    "gap.through": "\(job.gap.window.through)",
                ])
        } else {
            backfill.done(job.gap)
        }
        logger.notice(
            "backfilled a gap from the gateway's history",
            metadata: [
                "meter.id": "\(meter.id)", "gap.after": "\(job.gap.window.after)",
                "gap.through": "\(job.gap.window.through)",
                "requests": "\(job.parts)", "rows": "\(progress.counts.accepted + progress.counts.flagged)",
                "duplicates": "\(progress.counts.duplicates)",
                "rejected": "\(progress.counts.rejected)", "outside.gap": "\(progress.outside)",
            ])
    }
}
