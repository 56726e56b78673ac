import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Logging

/// The backfiller's answers: written like polls, one way. The history stage decodes and
/// validates (HistoryStage), the store runs the SQL and COPY, and after commit the gap's progress
/// moves and the backfiller is told (WriterBackfill) whether the gap is done or asked for again.
extension WriterEngine {
    /// One history response, written like a poll: a `poll` batch with the request's redacted URL.
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
        var progress = backfillProgress[job.gap.id] ?? (ChunkCounts(), 0, nil, false)
        let history = HistoryStage.run(
            job, meter: meter, key: entry.key, backfill: b, from: progress.last ?? job.gap.before,
            last: progress.last, validator: validator, url: url, now: Timestamp(date: Date()))
        let record = BatchRecord(
            kind: .poll, source: meter.id, url: url, httpStatus: result.status == 0 ? nil : result.status,
            sha256: SHA256Hasher.hex(of: result.body), bytes: result.body.count, receivedAt: result.receivedAt)
        let counts = try store.transaction { () -> ChunkCounts in
            guard let batch = try store.insertBatch(record) else { return ChunkCounts() }
            let chunk = try store.beginChunk(batch: batch, source: meter.id)
            for row in history.rows {
                switch row {
                case .reading(let r): try chunk.add(r, location: url)
                case .rejection(let r): chunk.add(r)
                }
            }
            return try chunk.commit()
        }
        // Committed: the effects.
        for r in history.refusals {
            logger.warning(
                "backfill request rejected",
                metadata: ["meter.id": "\(meter.id)", "reason": "\(r.reason.rawValue)", "detail": "\(r.detail)"])
        }
        count(counts)
        let answered = result.succeeded && result.status == 200
        metrics.add("jcm_backfill_requests_total", ["result": answered ? "ok" : "failed"])
        metrics.add("jcm_backfill_readings_total", [:], Double(counts.accepted + counts.flagged))
        progress.counts += counts
        progress.outside += history.outside
        progress.last = history.last
        progress.failed = progress.failed || !answered
        guard job.part == job.parts else {
            backfillProgress[job.gap.id] = progress
            return
        }
        backfillProgress[job.gap.id] = nil
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
