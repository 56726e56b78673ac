import Foundation
import JCMCore
import JCMCurl
import Logging

/// Between the poller and the writer: makes results durable in the spool (one write, one fsync
/// for all that arrived meanwhile), then tells the writer. Decides when polling must pause: when
/// the spool nears its limit, or the disk under it is full, new polls wait rather than spooled
/// data being dropped; meters keep counting meanwhile, so the next reading still carries the
/// energy.
final class PollIntake: @unchecked Sendable {
    /// Pause at this share of `spool_max_bytes`, resume below the second.
    static let pauseAt = 0.9
    static let resumeBelow = 0.75
    /// After a failed append (disk full, I/O error), how long polling pauses before trying again.
    static let appendRetrySeconds = 10.0
    /// Appends are at least this far apart: at thousands of polls a second, one write and one
    /// fsync for each turn of the poller would cost more than the records.
    static let gatherSeconds = 0.02

    private let spool: Spool?
    private let writer: IngestWriter
    private let logger: Logger
    private let metrics: Metrics
    private let lock = NSLock()
    private var paused = false
    private var retryAppendAt: Date?
    /// Handed over by `enqueue`, not yet spooled.
    private let arrived = NSCondition()
    private var queued: [PollResult] = []
    private var closed = false
    /// The secrets of the configuration in force: replaced by *** in every result before it is
    /// spooled or written (set at start and at each reload).
    var redactor: SecretRedactor {
        get { lock.withLock { secrets } }
        set { lock.withLock { secrets = newValue } }
    }
    private var secrets = SecretRedactor()

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
    /// never holds up transfers; the intake thread (`start`) spools what has arrived.
    func enqueue(_ results: [PollResult]) {
        arrived.lock()
        queued += results
        arrived.signal()
        arrived.unlock()
    }

    /// Spools what `enqueue` hands over until `finish`, on the caller's thread (the daemon gives
    /// it one: `ThreadService`).
    func run() {
        var last = Date.distantPast
        while true {
            let wait = last.timeIntervalSinceNow + Self.gatherSeconds
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
            arrived.lock()
            while queued.isEmpty, !closed { arrived.wait() }
            let results = queued
            queued = []
            let done = closed && results.isEmpty
            arrived.unlock()
            if done { return }
            last = Date()
            deliver(results)
        }
    }

    /// Stops the intake thread once everything enqueued is spooled.
    func finish() {
        arrived.lock()
        closed = true
        arrived.signal()
        arrived.unlock()
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
            let first = lock.withLock { () -> Bool in
                defer { retryAppendAt = Date() + Self.appendRetrySeconds }
                return retryAppendAt == nil
            }
            logger.log(
                level: first ? .critical : .debug, "poll results could not be spooled; kept in memory, polling paused",
                metadata: [
                    "error": "\(error)", "results": "\(results.count)", "spool.dir": "\(spool.directory)",
                ])
        }
    }

    /// Asked by the poller at each due slot.
    func mayPoll() -> Bool {
        guard let spool else { return true }
        let used = Double(spool.bytes) / Double(spool.maxBytes)
        let (allowed, changed) = lock.withLock { () -> (Bool, Bool) in
            let was = paused
            if let until = retryAppendAt, until > Date() {
                paused = true
            } else {
                retryAppendAt = nil
                paused = paused ? used >= Self.resumeBelow : used >= Self.pauseAt
            }
            return (!paused, was != paused)
        }
        if changed {
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
