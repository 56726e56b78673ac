import Foundation
import JCMCore
import JCMCurl
import Logging

/// Between the poller and the writer: makes results durable in the spool (one write, one fsync
/// for all that arrived meanwhile), then tells the writer. Decides when polling must pause: when
/// the spool nears its limit, or the disk under it is full, new polls wait rather than spooled
/// data being dropped; meters keep counting meanwhile, so the next reading still carries the
/// energy.
final class PollIntake: Sendable {
    /// Appends are at least this far apart: at thousands of polls a second, one write and one
    /// fsync for each turn of the poller would cost more than the records.
    static let gatherSeconds = 0.02

    private struct State: Sendable {
        /// When polls wait for the spool (a pure value).
        var pause = SpoolPause()
        /// Handed over by `enqueue`, not yet spooled.
        var queued: [PollResult] = []
        var closed = false
        var secrets = SecretRedactor()
    }

    private let spool: Spool?
    private let writer: IngestWriter
    private let logger: Logger
    private let metrics: Metrics
    /// A WaitableMutex because the intake thread (`run`) waits on it for results to arrive.
    private let state = WaitableMutex(State())

    /// The secrets of the configuration in force: replaced by *** in every result before it is
    /// spooled or written (set at start and at each reload).
    var redactor: SecretRedactor {
        get { state.withLock { $0.secrets } }
        set { state.withLock { $0.secrets = newValue } }
    }

    /// A result with the known secrets replaced in its body and URL.
    func redacted(_ result: PollResult) -> PollResult {
        let r = redactor
        guard !r.isEmpty else { return result }
        var out = result
        out.body = r.redact(result.body)
        out.url = r.redact(result.url)
        return out
    }

    init(spool: Spool?, writer: IngestWriter, logger: Logger, metrics: Metrics) {
        self.spool = spool
        self.writer = writer
        self.logger = logger
        self.metrics = metrics
    }

    /// The poller's hand-over: returns at once, so a slow disk (an fsync takes milliseconds)
    /// never holds up transfers; the intake thread (`run`) spools what has arrived.
    func enqueue(_ results: [PollResult]) {
        state.update { $0.queued += results }
    }

    /// Spools what `enqueue` hands over, on the caller's thread (a thread of its own: it blocks
    /// on fsync); returns after `finish`, once everything enqueued before it is spooled.
    func run() {
        var last = Date.distantPast
        while true {
            let wait = last.timeIntervalSinceNow + Self.gatherSeconds
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
            let results = state.wait { s -> WaitableMutex<State>.Step<[PollResult]> in
                guard s.queued.isEmpty else {
                    defer { s.queued = [] }
                    return .done(s.queued)
                }
                return s.closed ? .done([]) : .wait(until: nil)
            }
            if results.isEmpty { return }
            last = Date()
            deliver(results)
        }
    }

    /// Makes `run` return once everything enqueued is spooled.
    func finish() {
        state.update { $0.closed = true }
    }

    /// Spools results and tells the writer, on the caller's thread.
    func deliver(_ results: [PollResult]) {
        let results = results.map(redacted)
        guard let spool else {
            for r in results { writer.submit(.poll(r)) }
            return
        }
        do {
            try spool.append(results.map(\.spoolPayload))
            writer.spooled()
        } catch {
            // Fetched data is never dropped: held in memory, written as soon as the database
            // takes it; polling pauses until the spool can take more.
            for r in results { writer.submit(.poll(r)) }
            let first = state.withLock { $0.pause.appendFailed(now: Date().timeIntervalSince1970) }
            logger.log(
                level: first ? .critical : .debug, "poll results could not be spooled; kept in memory, polling paused",
                metadata: [
                    "error": "\(error)", "results": "\(results.count)", "spool.dir": "\(spool.directory)",
                ])
        }
    }

    /// Whether polling is paused for want of spool room (systemd's STATUS= says so).
    var isPaused: Bool { state.withLock { $0.pause.paused } }

    /// Asked by the poller at each due slot.
    func mayPoll() -> Bool {
        guard let spool else { return true }
        let used = Double(spool.bytes) / Double(spool.maxBytes)
        let (allowed, change) = state.withLock { $0.pause.mayPoll(used: used, now: Date().timeIntervalSince1970) }
        if change != .none {
            let metadata: Logger.Metadata = [
                "spool.bytes": "\(spool.bytes)", "spool.limit": "\(spool.maxBytes)", "spool.dir": "\(spool.directory)",
            ]
            if allowed {
                logger.notice("polling resumed: the spool has room again", metadata: metadata)
            } else {
                logger.critical(
                    "polling paused: the spool is nearly full (is the database down?); meters keep counting, nothing spooled is dropped",
                    metadata: metadata)
            }
            metrics.set("jcm_polling_paused", allowed ? 0 : 1)
        }
        if !allowed { metrics.add("jcm_polls_total", ["result": "paused"]) }
        return allowed
    }
}
