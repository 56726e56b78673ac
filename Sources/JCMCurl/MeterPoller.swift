import Foundation
import JCMCore
import Logging

/// A meter to poll, with its transfer limits.
public struct PollTarget: Sendable {
    public var meterID: String
    public var url: String
    public var schedule: PollSchedule
    public var connectTimeoutMs: Int
    public var timeoutMs: Int
    public var maxBytes: Int
    /// The longest wait between polls of a failing meter.
    public var backoffCapMs: Int64
    /// Validators of the last response (from jcm.meter_state at start): sent back as
    /// If-None-Match / If-Modified-Since, so an unchanged meter answers 304.
    public var etag: String?
    public var lastModified: String?
    public var security: TransferSecurity
    /// Whether to send the validators back. Only for meters whose response carries the time of
    /// its value: a meter read at the poll's arrival time must answer every poll, or a 304 would
    /// leave an interval with no reading.
    public var conditional: Bool

    public init(meterID: String, url: String, schedule: PollSchedule, connectTimeoutMs: Int, timeoutMs: Int, maxBytes: Int,
                backoffCapMs: Int64 = 300_000, etag: String? = nil, lastModified: String? = nil, security: TransferSecurity = .init(),
                conditional: Bool = true) {
        self.meterID = meterID
        self.url = url
        self.schedule = schedule
        self.connectTimeoutMs = connectTimeoutMs
        self.timeoutMs = timeoutMs
        self.maxBytes = maxBytes
        self.backoffCapMs = max(backoffCapMs, schedule.intervalMs)
        self.etag = etag
        self.lastModified = lastModified
        self.security = security
        self.conditional = conditional
    }
}

/// What one poll brought back: the raw response (kept as provenance) or why there was none.
public struct PollResult: Sendable {
    public enum Failure: Sendable, Equatable {
        case transport(String)
        case tooLarge(Int)
    }

    public var meterID: String
    public var url: String
    public var receivedAt: Timestamp
    public var status: Int
    public var body: [UInt8]
    public var failure: Failure?
    /// The response's validators, kept in jcm.meter_state for the next start.
    public var etag: String?
    public var lastModified: String?
    /// HTTP 304: the meter has nothing new since the last poll.
    public var notModified: Bool { failure == nil && status == 304 }
    /// Whether the meter answered as a meter should: 2xx or 304, and nothing cut off.
    public var succeeded: Bool { failure == nil && (200..<300 ~= status || status == 304) }

    public init(meterID: String, url: String, receivedAt: Timestamp, status: Int, body: [UInt8], failure: Failure?) {
        self.meterID = meterID
        self.url = url
        self.receivedAt = receivedAt
        self.status = status
        self.body = body
        self.failure = failure
    }
}

/// Polls every target on its schedule from one thread through one libcurl multi handle.
/// Transfers run concurrently; a meter whose previous poll is still in flight skips its slot, so
/// a slow meter never delays the others nor piles up requests. A failing meter backs off
/// (PollBackoff); an unchanged one answers 304 to the validators it gave last. Results are
/// delivered together per turn of the loop, so whoever takes them can make them durable with one
/// fsync.
public final class MeterPoller: @unchecked Sendable {
    private let targets: [PollTarget]
    private let logger: Logger
    private let deliver: @Sendable ([PollResult]) -> Void
    private let mayPoll: @Sendable () -> Bool
    private let lock = NSLock()
    private var stopping = false
    private var multi: MultiHandle?

    /// - Parameter mayPoll: asked at every due slot; false skips it (the spool is nearly full).
    public init(targets: [PollTarget], logger: Logger, mayPoll: @escaping @Sendable () -> Bool = { true },
                deliver: @escaping @Sendable ([PollResult]) -> Void) {
        self.targets = targets
        self.logger = logger
        self.mayPoll = mayPoll
        self.deliver = deliver
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Runs until `stop()`; in-flight transfers are abandoned at stop (their slot is simply missed).
    public func run() throws {
        let multi = try MultiHandle()
        lock.withLock { self.multi = multi }
        var handles: [EasyHandle] = []
        for t in targets {
            let h = try EasyHandle()
            try h.configure(t.security)
            handles.append(h)
        }
        var index: [ObjectIdentifier: Int] = [:]
        for (i, h) in handles.enumerated() { index[ObjectIdentifier(h)] = i }
        var inFlight = [Bool](repeating: false, count: targets.count)
        var failures = [Int](repeating: 0, count: targets.count)
        var etags = targets.map(\.etag)
        var lastModified = targets.map(\.lastModified)
        let start = Self.nowMs()
        var due = targets.map { $0.schedule.nextDue(after: start - 1) }

        while !lock.withLock({ stopping }) {
            let now = Self.nowMs()
            var results: [PollResult] = []
            for i in targets.indices where due[i] <= now {
                due[i] = targets[i].schedule.nextDue(after: now)
                if inFlight[i] {
                    logger.debug("poll slot skipped: previous poll still running", metadata: ["meter.id": "\(targets[i].meterID)"])
                    continue
                }
                guard mayPoll() else { continue }
                let t = targets[i]
                do {
                    try handles[i].prepare(url: t.url, connectTimeoutMs: t.connectTimeoutMs, timeoutMs: t.timeoutMs, maxBytes: t.maxBytes)
                    try handles[i].setRequestHeaders(t.conditional
                        ? [etags[i].map { "If-None-Match: \($0)" }, lastModified[i].map { "If-Modified-Since: \($0)" }].compactMap { $0 } : [])
                    try multi.add(handles[i])
                    inFlight[i] = true
                } catch {
                    results.append(PollResult(meterID: t.meterID, url: t.url, receivedAt: Timestamp(date: Date()), status: 0, body: [], failure: .transport("\(error)")))
                    failures[i] += 1
                    due[i] = PollBackoff.nextDue(t.schedule, afterMs: now, failures: failures[i], capMs: t.backoffCapMs)
                }
            }
            let wait = max(0, min(1_000, (due.min() ?? now + 1_000) - Self.nowMs()))
            for (easy, error) in multi.poll(timeoutMs: Int(wait)) {
                guard let i = index[ObjectIdentifier(easy)] else { continue }
                inFlight[i] = false
                let t = targets[i]
                var failure: PollResult.Failure?
                if easy.exceededCap || error?.isSizeCap == true {
                    failure = .tooLarge(t.maxBytes)
                } else if let error {
                    failure = .transport(error.message)
                }
                var result = PollResult(meterID: t.meterID, url: t.url, receivedAt: Timestamp(date: Date()),
                                        status: easy.responseCode, body: easy.body, failure: failure)
                if failure == nil, 200..<300 ~= result.status {
                    etags[i] = easy.responseHeader("ETag")
                    lastModified[i] = easy.responseHeader("Last-Modified")
                }
                result.etag = etags[i]
                result.lastModified = lastModified[i]
                if result.succeeded {
                    failures[i] = 0
                } else {
                    failures[i] += 1
                    let now = Self.nowMs()
                    let retryAfter = [429, 503].contains(result.status) ? easy.responseHeader("Retry-After").flatMap { RetryAfter.milliseconds($0, nowMs: now) } : nil
                    due[i] = PollBackoff.nextDue(t.schedule, afterMs: now, failures: failures[i], retryAfterMs: retryAfter, capMs: t.backoffCapMs)
                }
                results.append(result)
            }
            if !results.isEmpty { deliver(results) }
        }
    }

    public func stop() {
        lock.withLock {
            stopping = true
            multi?.wakeup()
        }
    }
}
