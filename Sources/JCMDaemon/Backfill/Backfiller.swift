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
///
/// What to fetch next is a pure value (BackfillQueue); this class performs it. The queue is the
/// only state other threads reach, in a WaitableMutex: the loop waits on it with a deadline (the
/// next windowed poll, the next retry). What only the loop uses (its handles, when it last asked
/// each host) is local to `run`.
final class Backfiller: Sendable {
    /// A windowed poll asks for this many intervals back: values a cloud API fills in late
    /// (SolarEdge uploads every 15 minutes), and periods the writer leaves until they are final
    /// (PollStage.unfinished), are read at a later poll.
    static let lookbackIntervals: Int64 = 4

    struct Target {
        var backfill: Config.Backfill
        var zone: TimeZone?
        var security: TransferSecurity
        var connectTimeoutMs: Int
        /// A windowed meter's schedule (its url has `{start}` and `{end}`).
        var windowed: PollSchedule?
    }

    private let targets: [String: Target]
    let logger: Logger
    private let deliver: @Sendable (BackfillResult) -> Void
    private let deliverPolls: @Sendable ([PollResult]) -> Void
    private let mayPoll: @Sendable () -> Bool
    /// What to fetch next (a pure value).
    private let queue: WaitableMutex<BackfillQueue>

    /// The backfiller thread's own: its handles and when it last asked each host.
    private struct Own {
        var handles: [String: EasyHandle] = [:]
        var lastRequest: [String: Date] = [:]
    }

    init(
        config: Config, security: [String: TransferSecurity], logger: Logger,
        deliver: @escaping @Sendable (BackfillResult) -> Void,
        deliverPolls: @escaping @Sendable ([PollResult]) -> Void = { _ in },
        mayPoll: @escaping @Sendable () -> Bool = { true }
    ) {
        var targets: [String: Target] = [:]
        var limits: [String: BackfillQueue.Limits] = [:]
        var schedules: [String: PollSchedule] = [:]
        for m in config.meters {
            guard let poll = m.poll, let b = poll.backfill else { continue }
            let schedule = poll.isWindowed ? PollSchedule(intervalMs: poll.intervalMilliseconds, meterID: m.id) : nil
            targets[m.id] = Target(
                backfill: b, zone: m.timeZone.flatMap(TimeZone.init(identifier:)),
                security: security[m.id] ?? TransferSecurity(),
                connectTimeoutMs: Int(poll.connectTimeoutMilliseconds), windowed: schedule)
            limits[m.id] = BackfillQueue.Limits(horizonMs: b.horizonMilliseconds, retryMs: poll.backoffMaxMilliseconds)
            schedules[m.id] = schedule
        }
        self.targets = targets
        queue = WaitableMutex(BackfillQueue(limits: limits, schedules: schedules, now: Self.nowMs()))
        self.logger = logger
        self.deliver = deliver
        self.deliverPolls = deliverPolls
        self.mayPoll = mayPoll
    }

    static func needed(by config: Config) -> Bool { config.meters.contains { $0.poll?.backfill != nil } }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000) }

    /// Queues a gap; one already waiting for the same meter grows to cover both.
    func request(_ gap: BackfillGap) {
        queue.update { $0.request(gap, now: Self.nowMs()) }
    }

    /// Queues a gap whose request failed, to be asked for again after its meter's `backoff_max`.
    func retry(_ gap: BackfillGap) {
        queue.update { $0.retry(gap, now: Self.nowMs()) }
    }

    /// Stops, cutting off the request in flight (within about a second); returns the gaps not
    /// yet finished, for the next run: the one being fetched from the request in flight on (an
    /// answer that completed anyway may be written too; fetched twice, its readings count as
    /// duplicates), then those waiting.
    func stop() -> [BackfillGap] {
        queue.update { $0.stop() }
    }

    private var isStopping: Bool { queue.withLock { $0.stopping } }

    func run() {
        var own = Own()
        while let work = next() {
            let gap: BackfillGap
            switch work {
            case .poll(let meterID):
                pollWindow(meterID, &own)
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
                var rest = gap
                rest.window.after = window.after
                queue.withLock { [rest] in $0.fetching(rest) }
                guard waitForTurn(host: Self.host(of: url), pauseMs: target.backfill.pauseMilliseconds, &own) else {
                    logger.notice(
                        "stopping with a backfill unfinished; its gap is asked for at the next start",
                        metadata: ["meter.id": "\(gap.meterID)", "requests.left": "\(windows.count - i)"])
                    return
                }
                let response = fetch(url, gap.meterID, target, window: window, &own)
                own.lastRequest[Self.host(of: url)] = Date()
                // Cut off by stop: nothing to write; the gap goes back to the pending file.
                if response.failure != nil, isStopping { return }
                deliver(BackfillResult(gap: gap, part: i + 1, parts: windows.count, window: window, response: response))
            }
            queue.withLock { $0.fetching(nil) }
        }
    }

    /// Waits until the queue has work (nil once stopped).
    private func next() -> BackfillQueue.Work? {
        queue.wait { q -> WaitableMutex<BackfillQueue>.Step<BackfillQueue.Work?> in
            switch q.next(now: Self.nowMs()) {
            case .work(let work): .done(work)
            case .stopped: .done(nil)
            case .wait(let at?): .wait(until: Double(at) / 1_000)
            case .wait(nil): .wait(until: nil)
            }
        }
    }

    /// One poll of a windowed meter: its last few intervals, written as a poll. It keeps
    /// `backfill.pause` after the host's last request too: one due sooner is skipped, and the
    /// next poll's window covers its intervals.
    private func pollWindow(_ meterID: String, _ own: inout Own) {
        guard let target = targets[meterID], let poll = target.windowed, mayPoll() else { return }
        let now = Timestamp(date: Date())
        let window = HistoryRequest.Window(
            after: Timestamp(microseconds: now.microseconds - Self.lookbackIntervals * poll.intervalMs * 1_000),
            through: now)
        let url = HistoryRequest.url(
            template: target.backfill.url, profile: target.backfill.profile, window: window, zone: target.zone)
        let host = Self.host(of: url)
        if let last = own.lastRequest[host],
            Date() < last.addingTimeInterval(Double(target.backfill.pauseMilliseconds) / 1_000)
        {
            logger.debug(
                "windowed poll skipped: backfill.pause since the host's last request; the next poll covers its intervals",
                metadata: ["meter.id": "\(meterID)"])
            return
        }
        let response = fetch(url, meterID, target, window: window, &own)
        own.lastRequest[host] = Date()
        if response.failure != nil, isStopping { return }
        deliverPolls([response])
    }

    /// Waits out the pause since the last request to `host`, making the windowed polls that fall
    /// due meanwhile (a gateway's 120 s between archive requests holds up no other meter); false
    /// when stopped meanwhile.
    private func waitForTurn(host: String, pauseMs: Int64, _ own: inout Own) -> Bool {
        enum Turn {
            case go(Bool)
            case poll(String)
        }
        while true {
            let turn = (own.lastRequest[host] ?? .distantPast).timeIntervalSince1970 + Double(pauseMs) / 1_000
            let next = queue.wait { q -> WaitableMutex<BackfillQueue>.Step<Turn> in
                if q.stopping || WaitableMutex<BackfillQueue>.now() >= turn { return .done(.go(!q.stopping)) }
                if let meterID = q.takeDuePoll(now: Self.nowMs()) { return .done(.poll(meterID)) }
                return .wait(until: min(turn, q.nextPollAt.map { Double($0) / 1_000 } ?? turn))
            }
            switch next {
            case .go(let go): return go
            case .poll(let meterID): pollWindow(meterID, &own)
            }
        }
    }

    /// `window` goes into the body of a POST as into the url.
    private func fetch(
        _ url: String, _ meterID: String, _ target: Target, window: HistoryRequest.Window, _ own: inout Own
    ) -> PollResult {
        let handle: EasyHandle
        do {
            if let h = own.handles[meterID] {
                handle = h
            } else {
                handle = try EasyHandle()
                try handle.configure(target.security)
                own.handles[meterID] = handle
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
