import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Logging

extension IngestWriter {
    /// Spool records written per transaction: one commit (one WAL flush) for many polls.
    static let spoolGroup = 1024
    /// Once caught up, the spool is drained at most this often. A transaction costs about as much
    /// as a hundred polls' rows, so writing each handful of polls as it arrives would spend most
    /// of the writer's time on transactions; this adds at most as much to a poll's lag.
    static let gatherSeconds = 0.1

    /// Writes every spooled poll from the cursor on. The cursor moves, and segments are deleted,
    /// only after a commit; a failure leaves both where they were, to be tried again.
    func drainSpool(group: Int = IngestWriter.spoolGroup) throws {
        guard let spool, var cursor = spoolCursor else { return }
        if let caughtUp = caughtUpAt {
            let wait = caughtUp.timeIntervalSinceNow + Self.gatherSeconds
            if wait > 0, !queue.isClosed { Thread.sleep(forTimeInterval: wait) }
        }
        caughtUpAt = nil
        takeSpooledJob()
        while true {
            let (entries, next) = spool.read(from: cursor, max: group)
            var items: [(PollResult, String?)] = []
            for e in entries {
                if let result = PollResult(spoolPayload: e.payload) {
                    items.append((result, e.ref))
                } else {
                    setAside(e, why: "the record does not decode as a poll result (another version, or damage)")
                }
            }
            if !items.isEmpty { try writePolls(items) }
            cursor = next
            spoolCursor = next
            spool.release(upTo: next)
            if entries.count < group {
                caughtUpAt = Date()
                return
            }
            if pastDrainDeadline {
                logger.notice(
                    "stopping with polls still spooled; they are written at the next start",
                    metadata: ["spool.bytes": "\(spool.bytes)"])
                return
            }
        }
    }

    /// One transaction for all the polls. A poll whose spool record is already stored (a replay
    /// after a crash) is skipped.
    ///
    /// The polls' rows go to the server together (ChunkGroup); when the server refuses one of
    /// them (a reading already stored with another value), the transaction is redone with a
    /// chunk per poll, which finds the row and keeps it as a rejection.
    func writePolls(_ items: [(result: PollResult, spoolRecord: String?)]) throws {
        var items = try holdHalted(items)
        while !items.isEmpty {
            do {
                return try writePollsRedoing(items)
            } catch let halt as ChainHalted {
                noteHalt(halt)
                let rest = try holdHalted(items)
                if rest.count == items.count { throw halt }  // not these polls' chain: never loop
                items = rest
            }
        }
    }

    /// The polls in one transaction, or a poll at a time when the server refuses one of them.
    func writePollsRedoing(_ items: [(result: PollResult, spoolRecord: String?)]) throws {
        do {
            try writePolls(items, grouped: true)
        } catch let error as PostgresError where error.isUniqueViolation || error.isDataError {
            logger.debug(
                "group of polls redone a poll at a time", metadata: ["polls": "\(items.count)", "error": "\(error)"])
            try writePolls(items, grouped: false)
        }
    }

    private func writePolls(_ items: [(result: PollResult, spoolRecord: String?)], grouped: Bool) throws {
        guard let store, let before = validator else { return }
        var working = before
        var stored = lastStored
        var total = ChunkCounts()
        var outcomes: [(meter: String, result: String)] = []
        var polls:
            [(meter: String, at: Timestamp, status: Int?, error: String?, etag: String?, lastModified: String?)] = []
        var states: [MeterPollState] = []
        var perMeter: [(meter: String, stored: Int)] = []
        beginPollGroup()
        try store.transaction {
            // A poll of a meter that a reload has just removed is dropped with the meter.
            let known = items.compactMap {
                item -> (result: PollResult, spoolRecord: String?, meter: Config.Meter, poll: Config.Poll)? in
                guard let meter = before.registry.lookup(item.result.meterID)?.meter, let poll = meter.poll else {
                    logger.warning(
                        "poll of a meter no longer configured; not written",
                        metadata: ["meter.id": "\(item.result.meterID)"])
                    return nil
                }
                return (item.result, item.spoolRecord, meter, poll)
            }
            let records = known.map { Self.batchRecord($0.result, spoolRecord: $0.spoolRecord) }
            let group = grouped ? ChunkGroup() : nil
            let batches = try group != nil ? store.insertBatches(records) : records.map { try store.insertBatch($0) }
            for (i, (result, ref, meter, poll)) in known.enumerated() {
                guard let batch = batches[i] else {
                    logger.debug(
                        "spooled poll already written",
                        metadata: ["meter.id": "\(result.meterID)", "spool.record": "\(ref ?? "")"])
                    continue
                }
                try seedBackfillMark(meter, store: store)
                let chunk =
                    try group.map { try store.beginChunk(batch: batch, source: meter.id, group: $0) }
                    ?? store.beginChunk(batch: batch, source: meter.id)
                backfill.answeredWithoutData = false
                let counts = try writePoll(
                    result, of: meter, poll: poll, url: records[i].url ?? "", into: chunk, validator: &working,
                    stored: &stored)
                total += counts
                perMeter.append((meter.id, counts.accepted + counts.flagged))
                let answered = counts.accepted + counts.flagged + counts.duplicates > 0 || backfill.answeredWithoutData
                let label = result.notModified ? "not_modified" : answered ? "ok" : "failed"
                outcomes.append((result.meterID, label))
                polls.append(
                    (
                        result.meterID, result.receivedAt, result.status == 0 ? nil : result.status,
                        label == "failed" ? Self.failureText(result) : nil, result.etag, result.lastModified
                    ))
            }
            if let group { try store.finish(group) }
            // The meters' state moves with their polls: both commit, or neither.
            states = MeterPollState.fold(polls).filter(stateRefresh.due)
            try store.recordPollStates(states)
        }
        stateRefresh.wrote(states)
        validator = working
        lastStored = stored
        for p in perMeter where p.stored > 0 { metrics.meters.stored(p.meter, p.stored) }
        for o in outcomes where o.result == "ok" {
            if let key = before.registry.lookup(o.meter)?.key, let t = stored[key]?.newest {
                metrics.meters.reading(o.meter, at: t)
            }
        }
        commitPollGroup()
        validatorsLock.withLock {
            for p in polls { pollValidators[p.meter] = (p.etag, p.lastModified) }
        }
        for outcome in outcomes {
            metrics.add("jcm_polls_total", "result=\"\(outcome.result)\"")
            noteHealth(meter: outcome.meter, ok: outcome.result != "failed")
        }
        count(total)
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

    /// Logs a meter going down (3 failed polls in a row) or coming back, once each.
    private func noteHealth(meter: String, ok: Bool) {
        switch health.record(meter: meter, ok: ok) {
        case .wentDown(let failures)?:
            logger.error(
                "meter down: its last polls all failed", metadata: ["meter.id": "\(meter)", "failures": "\(failures)"])
        case .recovered(let failures)?:
            logger.notice("meter recovered", metadata: ["meter.id": "\(meter)", "failures.before": "\(failures)"])
        case nil: break
        }
        metrics.set("jcm_meters_down", Double(health.downCount))
        metrics.meters.setDown(meter, health.isDown(meter))
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

    /// Decodes and validates one poll into its chunk. A reading the same as one of its meter's
    /// recent ones (RecentReadings) is counted as a duplicate here rather than sent: in a group,
    /// the server's refusal of it would redo the whole group.
    /// `url` is the poll's, redacted (its batch's).
    private func writePoll(
        _ result: PollResult, of meter: Config.Meter, poll: Config.Poll, url: String, into chunk: ChunkWriter,
        validator: inout ReadingValidator, stored: inout [Int32: RecentReadings]
    ) throws -> ChunkCounts {
        var duplicates = 0
        let excerpt = String(decoding: result.body.prefix(4_096), as: UTF8.self)
        func refuse(_ reason: ReasonCode, _ detail: String, at timestamp: Timestamp? = nil) {
            chunk.add(
                Rejection(
                    raw: RawReading(
                        meterID: meter.id, timestamp: nil, value: nil, unit: nil, location: url, raw: excerpt),
                    reason: reason, detail: detail, timestamp: timestamp))
            logger.warning(
                "poll rejected",
                metadata: ["meter.id": "\(meter.id)", "reason": "\(reason.rawValue)", "detail": "\(detail)"])
        }
        if result.notModified {
            // No new data since the last poll: counted, not an error.
        } else if let (reason, detail) = Self.refusedUnread(result, capSetting: "max_response_bytes") {
            refuse(reason, detail)
        } else {
            switch PollPayloadDecoder.decode(
                result.body, poll: poll, meterID: meter.id, contentType: result.contentType)
            {
            case .failure(let f): refuse(f.reason, f.detail)
            case .success(let payload):
                // One reading keeps the body as its raw text when refused; many keep their element.
                let single = !poll.payload.isHistory
                for r in payload.rejected { chunk.add(r) }
                var kept: [Reading] = []
                var refused = payload.rejected.count
                for raw in payload.readings {
                    switch validator.validate(
                        raw, now: Timestamp(date: Date()), arrival: result.receivedAt, deviceTime: single)
                    {
                    case .accepted(let reading) where Self.unfinished(reading, payload, meter, now: result.receivedAt):
                        continue
                    case .accepted(let reading):
                        if stored[reading.meterKey]?.value(at: reading.timestamp) == reading.value {
                            duplicates += 1
                        } else {
                            try chunk.add(reading, location: meter.id)
                            stored[reading.meterKey, default: RecentReadings()].add(reading.timestamp, reading.value)
                            kept.append(reading)
                        }
                    case .rejected(let r) where single:
                        refuse(r.reason, r.detail, at: r.timestamp)
                        refused += 1
                    case .rejected(let r):
                        chunk.add(r)
                        refused += 1
                    }
                }
                noteForBackfill(meter, kept)
                // Only nulls, or periods not yet final: the meter answered, with nothing new.
                backfill.answeredWithoutData = refused == 0
            }
        }
        var counts = try chunk.commit()
        counts.duplicates += duplicates
        return counts
    }

    /// The database refused a group of spooled polls for good (after retries): write them one by
    /// one, so only a record it refuses on its own is set aside.
    func setAsideSpooled(error: Error) {
        guard let spool, var cursor = spoolCursor else { return }
        for entry in spool.read(from: cursor, max: Self.spoolGroup).entries {
            do {
                guard let result = PollResult(spoolPayload: entry.payload) else {
                    throw Spool.Failure.io("undecodable record", errno: 0)
                }
                try writePolls([(result, entry.ref)])
            } catch {
                // not this record's fault: tried again later
                if let e = error as? PostgresError, !e.isPermanent { return }
                setAside(entry, why: "\(error)")
            }
            cursor = entry.next
            spoolCursor = cursor
            spool.release(upTo: cursor)
        }
    }

    /// Keeps a spool record the database will not take in `spool/refused/`, and says so.
    func setAside(_ entry: Spool.Entry, why: String) {
        guard let spool else { return }
        let dir = spool.directory + "/refused"
        let path = dir + "/" + entry.ref.replacingOccurrences(of: "/", with: "-") + ".record"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(entry.payload).write(to: URL(fileURLWithPath: path))
            logger.error(
                "spooled poll refused by the database; set aside",
                metadata: ["spool.record": "\(entry.ref)", "error": "\(why)", "kept.at": "\(path)"])
        } catch {
            logger.critical(
                "spooled poll refused and could not be set aside",
                metadata: ["spool.record": "\(entry.ref)", "error": "\(why)"])
        }
    }

    /// Shutting down with the database away: say what stays safe and what is lost.
    func stopUnwritten(_ job: Job, error: Error) {
        var inMemory = 0
        var reports = 0
        var pending: Job? = job
        while let j = pending {
            switch j {
            case .poll: inMemory += 1
            case .report: reports += 1
            case .spooled, .reconfigure, .backfill: break
            }
            pending = queue.pop()
        }
        let spooled = spool.map { $0.bytes } ?? 0
        let metadata: Logger.Metadata = [
            "error": "\(error)", "spool.bytes": "\(spooled)", "reports.waiting": "\(reports)",
            "polls.lost": "\(inMemory)",
        ]
        if inMemory > 0 {
            logger.critical(
                "stopping with the database unavailable; polls held in memory (the spool could not take them) are lost",
                metadata: metadata)
        } else {
            logger.warning(
                "stopping with the database unavailable; spooled polls and waiting reports are written at the next start",
                metadata: metadata)
        }
    }
}
