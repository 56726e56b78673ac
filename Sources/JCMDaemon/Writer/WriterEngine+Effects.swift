import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Logging

/// What a committed group of polls changes outside the database, gathered while its
/// transaction runs and applied only once it has committed: a group rolled back changes nothing.
struct PollEffects {
    /// What validation carries on from (PollStage.State).
    var stage: PollStage.State?
    /// Gaps to ask the backfiller for.
    var gaps: [BackfillGap] = []
    /// Per poll: its meter, its outcome, the readings it stored, its own refusals.
    var outcomes: [(meter: String, label: String, stored: Int, refusals: [(reason: ReasonCode, detail: String)])] = []
    var polls: [(meter: String, at: Timestamp, status: Int?, error: String?, etag: String?, lastModified: String?)] = []
    /// Every polled meter's state, and the rows of jcm.meter_state written.
    var states: [MeterPollState] = []
    var written: [MeterPollState] = []
    var total = ChunkCounts()

    mutating func add(_ poll: PollStage.Decoded, _ item: PollStage.Item, _ counts: ChunkCounts) {
        let outcome = PollStage.outcome(poll, item, counts)
        total += counts
        outcomes.append((poll.meter.id, outcome.label, counts.accepted + counts.flagged, item.refusals))
        polls.append(outcome.state)
    }
}

/// The coordinator: effects applied after commit, in one place.
extension WriterEngine {
    func apply(_ e: PollEffects) {
        if let next = e.stage { stage = next }
        shared.committed(polled: e.states, wrote: e.written)
        for o in e.outcomes {
            for r in o.refusals {
                logger.warning(
                    "poll rejected",
                    metadata: ["meter.id": "\(o.meter)", "reason": "\(r.reason.rawValue)", "detail": "\(r.detail)"])
            }
            if o.stored > 0 { metrics.meters.stored(o.meter, o.stored) }
            if o.label == "ok", let key = stage?.validator.registry.lookup(o.meter)?.key,
                let t = stage?.recent[key]?.newest
            {
                metrics.meters.reading(o.meter, at: t)
            }
        }
        backfill.request(e.gaps)
        // Per group, not per poll: a registry update takes its lock and finds the series by its
        // labels (5 % of the writer's CPU at 10,000 polls a second, in perf), and counting the
        // meters down walks every failing one.
        var polls: [String: Int] = [:]
        for o in e.outcomes {
            polls[o.label, default: 0] += 1
            noteHealth(meter: o.meter, ok: o.label != "failed")
        }
        for (label, n) in polls { metrics.add("jcm_polls_total", ["result": label], Double(n)) }
        noteMetersDown()
        count(e.total)
    }

    /// Logs a meter going down (3 failed polls in a row) or coming back, once each; its
    /// jcm_meter_up moves only then.
    private func noteHealth(meter: String, ok: Bool) {
        switch health.record(meter: meter, ok: ok) {
        case .wentDown(let failures)?:
            logger.error(
                "meter down: its last polls all failed", metadata: ["meter.id": "\(meter)", "failures": "\(failures)"])
            metrics.meters.setDown(meter, true)
        case .recovered(let failures)?:
            logger.notice("meter recovered", metadata: ["meter.id": "\(meter)", "failures.before": "\(failures)"])
            metrics.meters.setDown(meter, false)
        case nil: break
        }
    }

    /// Moves the report out of the folder now that its rows are committed. A move that fails
    /// (another filesystem, permissions) is logged, not retried: the data is already stored, and
    /// the file, left in place, is recognised by its SHA-256 at the next start.
    func settle(_ path: String, summary: ReportSummary, watch: Config.Watch, errorsPath: String) {
        do {
            switch summary.outcome {
            case .processed, .duplicate:
                unlink(errorsPath)
                let target = try ReportMover.move(path, into: watch.processedDir)
                logger.info("\(summary.oneLine)", metadata: ["file": "\(path)", "moved.to": "\(target)"])
            case .rejected, .refused:
                let target = try ReportMover.move(path, into: watch.rejectedDir)
                ReportMover.publishErrors(errorsPath, beside: target)
                logger.warning(
                    "\(summary.oneLine)",
                    metadata: ["file": "\(path)", "moved.to": "\(target)", "problems": "\(summary.problemCount)"])
            }
        } catch {
            logger.error(
                "report stored but not moved out of the folder",
                metadata: ["file": "\(path)", "error": "\(error)", "outcome": "\(summary.oneLine)"])
        }
    }
}
