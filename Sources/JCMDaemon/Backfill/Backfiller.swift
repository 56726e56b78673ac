import Foundation
import JCMCore
import JCMCurl
import Logging

/// Fetches the history of meters that missed readings, on its own thread, one request at a time
/// (gateways serve history slowly and SolarEdge counts every request against a daily quota), at
/// least `backfill.pause` apart per host. A gap longer than the vendor's limit per request is
/// fetched in pieces, oldest first. Gaps of one meter waiting together are merged into one. A
/// gap whose request failed is asked for again after the meter's `backoff_max`, until it is
/// written or has passed the horizon.
///
/// It also polls the meters whose url has `{start}` and `{end}` (a history format polled for its
/// last few intervals): on their schedule, before any gap, handed over as ordinary poll results.
final class Backfiller: @unchecked Sendable {
    /// A windowed poll asks for this many intervals back: values a cloud API fills in late
    /// (SolarEdge uploads every 15 minutes), and periods the writer leaves until they are final
    /// (IngestWriter.unfinished), are read at a later poll.
    static let lookbackIntervals: Int64 = 4

    struct Target {
        var backfill: Config.Backfill
        var zone: TimeZone?
        var security: TransferSecurity
        var connectTimeoutMs: Int
        var retryMs: Int64
    }

    private let targets: [String: Target]
    let logger: Logger
    private let deliver: @Sendable (BackfillResult) -> Void
    private let deliverPolls: @Sendable ([PollResult]) -> Void
    private let mayPoll: @Sendable () -> Bool
    /// The windowed meters' schedules and next slots.
    private var schedules: [String: PollSchedule] = [:]
    private var due: [String: Int64] = [:]
    private let condition = NSCondition()
    private var pending: [BackfillGap] = []
    /// Gaps whose request failed, and when they are asked for again.
    private var later: [(at: Int64, gap: BackfillGap)] = []
    /// The gap being fetched, from the request in flight on.
    private var current: BackfillGap?
    private var stopping = false
    private var nextID = 1
    private var handles: [String: EasyHandle] = [:]
    private var lastRequest: [String: Date] = [:]

    init(
        config: Config, security: [String: TransferSecurity], logger: Logger,
        deliver: @escaping @Sendable (BackfillResult) -> Void,
        deliverPolls: @escaping @Sendable ([PollResult]) -> Void = { _ in },
        mayPoll: @escaping @Sendable () -> Bool = { true }
    ) {
        var targets: [String: Target] = [:]
        let now = Self.nowMs()
        for m in config.meters {
            guard let poll = m.poll, let b = poll.backfill else { continue }
            targets[m.id] = Target(
                backfill: b, zone: m.timeZone.flatMap(TimeZone.init(identifier:)),
                security: security[m.id] ?? TransferSecurity(),
                connectTimeoutMs: Int(poll.connectTimeoutMilliseconds), retryMs: poll.backoffMaxMilliseconds)
            if poll.isWindowed {
                let schedule = PollSchedule(intervalMs: poll.intervalMilliseconds, meterID: m.id)
                schedules[m.id] = schedule
                due[m.id] = schedule.nextDue(after: now)
            }
        }
        self.targets = targets
        self.logger = logger
        self.deliver = deliver
        self.deliverPolls = deliverPolls
        self.mayPoll = mayPoll
    }

    static func needed(by config: Config) -> Bool { config.meters.contains { $0.poll?.backfill != nil } }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000) }

    /// Queues a gap; one already waiting for the same meter grows to cover both.
    func request(_ gap: BackfillGap) {
        condition.withLock { enqueue(gap) }
    }

    /// Queues a gap whose request failed, to be asked for again after its meter's `backoff_max`.
    func retry(_ gap: BackfillGap) {
        guard let target = targets[gap.meterID] else { return }
        condition.withLock {
            later.append((Self.nowMs() + target.retryMs, gap))
            condition.signal()
        }
    }

    /// Called with `condition` locked.
    private func enqueue(_ gap: BackfillGap) {
        guard let target = targets[gap.meterID] else { return }
        // A gap kept from an earlier run, or retried, may reach back past the horizon by now.
        var gap = gap
        gap.window.after = max(
            gap.window.after, Timestamp(microseconds: (Self.nowMs() - target.backfill.horizonMilliseconds) * 1_000))
        guard gap.window.after < gap.window.through else { return }
        if let i = pending.firstIndex(where: { $0.meterID == gap.meterID }) {
            if gap.window.after < pending[i].window.after {
                pending[i].window.after = gap.window.after
                pending[i].before = gap.before
            }
            pending[i].window.through = max(pending[i].window.through, gap.window.through)
            return
        }
        var g = gap
        g.id = nextID
        nextID += 1
        pending.append(g)
        condition.signal()
    }

    /// Stops, cutting off the request in flight (within about a second); returns the gaps not
    /// yet finished, for the next run: the one being fetched from the request in flight on (an
    /// answer that completed anyway may be written too; fetched twice, its readings count as
    /// duplicates), then those waiting.
    func stop() -> [BackfillGap] {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.broadcast()
        let left = (current.map { [$0] } ?? []) + pending + later.map(\.gap)
        pending = []
        later = []
        current = nil
        return left
    }

    private var isStopping: Bool { condition.withLock { stopping } }

    func run() {
        while let work = next() {
            let gap: BackfillGap
            switch work {
            case .poll(let meterID):
                pollWindow(meterID)
                continue
            case .gap(let g): gap = g
            }
            guard let target = targets[gap.meterID] else { continue }
            let windows = HistoryRequest.windows(
                after: gap.window.after, through: gap.window.through,
                maxSpanMilliseconds: target.backfill.maxSpanMilliseconds)
            for (i, window) in windows.enumerated() {
                let url = HistoryRequest.url(
                    template: target.backfill.url, profile: target.backfill.profile, window: window,
                    zone: target.zone)
                condition.withLock {
                    var rest = gap
                    rest.window.after = window.after
                    current = rest
                }
                guard waitForTurn(host: Self.host(of: url), pauseMs: target.backfill.pauseMilliseconds) else {
                    logger.notice(
                        "stopping with a backfill unfinished; its gap is asked for at the next start",
                        metadata: ["meter.id": "\(gap.meterID)", "requests.left": "\(windows.count - i)"])
                    return
                }
                let response = fetch(url, gap.meterID, target, window: window)
                lastRequest[Self.host(of: url)] = Date()
                // Cut off by stop: nothing to write; the gap goes back to the pending file.
                if response.failure != nil, isStopping { return }
                deliver(BackfillResult(gap: gap, part: i + 1, parts: windows.count, window: window, response: response))
            }
            condition.withLock { current = nil }
        }
    }

    private enum Work {
        case poll(String)
        case gap(BackfillGap)
    }

    /// A windowed poll that is due comes before any gap: live data first.
    private func next() -> Work? {
        condition.lock()
        defer { condition.unlock() }
        while !stopping {
            let now = Self.nowMs()
            if let meterID = takeDuePoll(now: now) { return .poll(meterID) }
            for entry in later where entry.at <= now { enqueue(entry.gap) }
            later.removeAll { $0.at <= now }
            if !pending.isEmpty { return .gap(pending.removeFirst()) }
            if let at = (Array(due.values) + later.map(\.at)).min() {
                _ = condition.wait(until: Date(timeIntervalSince1970: Double(at) / 1_000))
            } else {
                condition.wait()
            }
        }
        return nil
    }

    /// The windowed meter whose poll is due, its next slot set. Called with `condition` locked.
    private func takeDuePoll(now: Int64) -> String? {
        guard let (meterID, at) = due.min(by: { $0.value < $1.value }), at <= now else { return nil }
        due[meterID] = schedules[meterID]!.nextDue(after: now)
        return meterID
    }

    /// One poll of a windowed meter: its last few intervals, written as a poll. It keeps
    /// `backfill.pause` after the host's last request too: one due sooner is skipped, and the
    /// next poll's window covers its intervals.
    private func pollWindow(_ meterID: String) {
        guard let target = targets[meterID], let schedule = schedules[meterID], mayPoll() else { return }
        let now = Timestamp(date: Date())
        let window = HistoryRequest.Window(
            after: Timestamp(microseconds: now.microseconds - Self.lookbackIntervals * schedule.intervalMs * 1_000),
            through: now)
        let url = HistoryRequest.url(
            template: target.backfill.url, profile: target.backfill.profile, window: window, zone: target.zone)
        let host = Self.host(of: url)
        if let last = lastRequest[host],
            Date() < last.addingTimeInterval(Double(target.backfill.pauseMilliseconds) / 1_000)
        {
            logger.debug(
                "windowed poll skipped: backfill.pause since the host's last request; the next poll covers its intervals",
                metadata: ["meter.id": "\(meterID)"])
            return
        }
        let response = fetch(url, meterID, target, window: window)
        lastRequest[host] = Date()
        if response.failure != nil, isStopping { return }
        deliverPolls([response])
    }

    /// Waits out the pause since the last request to `host`, making the windowed polls that fall
    /// due meanwhile (a gateway's 120 s between archive requests holds up no other meter); false
    /// when stopped meanwhile.
    private func waitForTurn(host: String, pauseMs: Int64) -> Bool {
        while true {
            let turn = (lastRequest[host] ?? .distantPast).addingTimeInterval(Double(pauseMs) / 1_000)
            condition.lock()
            if stopping || Date() >= turn {
                defer { condition.unlock() }
                return !stopping
            }
            if let meterID = takeDuePoll(now: Self.nowMs()) {
                condition.unlock()
                pollWindow(meterID)
                continue
            }
            let nextPoll = due.values.min().map { Date(timeIntervalSince1970: Double($0) / 1_000) } ?? turn
            _ = condition.wait(until: min(turn, nextPoll))
            condition.unlock()
        }
    }

    /// `window` goes into the body of a POST as into the url.
    private func fetch(_ url: String, _ meterID: String, _ target: Target, window: HistoryRequest.Window) -> PollResult
    {
        let handle: EasyHandle
        do {
            if let h = handles[meterID] {
                handle = h
            } else {
                handle = try EasyHandle()
                try handle.configure(target.security)
                handles[meterID] = handle
            }
        } catch {
            return PollResult(
                meterID: meterID, url: url, receivedAt: Timestamp(date: Date()), status: 0, body: [],
                failure: .transport("\(error)"))
        }
        let body = target.backfill.body.map {
            HistoryRequest.url(template: $0, profile: target.backfill.profile, window: window, zone: target.zone)
        }
        return handle.fetch(
            url: url, meterID: meterID, connectTimeoutMs: target.connectTimeoutMs,
            timeoutMs: Int(target.backfill.timeoutMilliseconds),
            maxBytes: target.backfill.maxResponseBytes, headers: target.backfill.requestHeaders, requestBody: body,
            shouldStop: { [weak self] in self?.isStopping ?? true })
    }

    /// What `backfill.pause` is counted per: the url's origin, as libcurl reads it.
    static func host(of url: String) -> String {
        Origin(curlURL: url).map { "\($0)" } ?? url
    }
}
