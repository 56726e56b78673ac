import Foundation
import JCMCore
import Logging
import Synchronization

/// Polls every target on its schedule from one thread through one libcurl multi handle.
/// Transfers run concurrently; a meter whose previous poll is still in flight skips its slot, so
/// a slow meter never delays the others nor piles up requests. A failing meter backs off
/// (PollBackoff); an unchanged one answers 304 to the validators it gave last; a redirect is
/// followed as its RedirectPolicy allows. Results are delivered together per turn of the loop,
/// so whoever takes them can make them durable with one fsync.
///
/// A turn costs what the meters due and the transfers finished in it cost, not what the fleet
/// does: due times sit in a PollQueue, a finished handle carries its meter's index, and a
/// handle's options are set again only when they change. A TransferGate hands libcurl no more
/// transfers than the connection limits let run; a meter due beyond waits there, its timeout
/// running. Handles come from a HandlePool, as many as transfers run at once.
public final class MeterPoller: Sendable {
    private let targets: [PollTarget]
    private let limits: ConnectionLimits
    private let logger: Logger
    private let deliver: @Sendable ([PollResult]) -> Void
    private let mayPoll: @Sendable () -> Bool
    /// What `stop` and `handleCount` reach from other threads; the loop's own state (slots,
    /// queue, gate, handles) is local to `run`.
    private struct State {
        var stopping = false
        var waker: MultiHandle.Waker?
        var handlesMade = 0
    }
    private let state = Mutex(State())

    /// - Parameter mayPoll: asked at every due slot; false skips it (the spool is nearly full).
    public init(
        targets: [PollTarget], limits: ConnectionLimits = .init(), logger: Logger,
        mayPoll: @escaping @Sendable () -> Bool = { true },
        deliver: @escaping @Sendable ([PollResult]) -> Void
    ) {
        self.targets = targets
        self.limits = limits
        self.logger = logger
        self.mayPoll = mayPoll
        self.deliver = deliver
    }

    /// Runs until `stop()`; in-flight transfers are abandoned at stop (their slot is simply missed).
    public func run() throws {
        let limits = OpenFileLimit.fit(self.limits, logger: logger)
        let multi = try MultiHandle(limits)
        state.withLock { $0.waker = multi.waker }
        let handles = HandlePool(meters: targets.count)
        // Of each meter's url; nil when libcurl cannot parse it (then no redirect is followed).
        let origins = targets.map { Origin(curlURL: $0.url) }
        var hostNumbers: [String: Int] = [:]
        let meters = targets.indices.map { i -> PollSlots.Meter in
            let key = origins[i].map { "\($0)" } ?? targets[i].url
            if hostNumbers[key] == nil { hostNumbers[key] = hostNumbers.count }
            return PollSlots.Meter(
                schedule: targets[i].schedule, backoffCapMs: targets[i].backoffCapMs, host: hostNumbers[key]!)
        }
        var machine = PollSlots(
            meters: meters, slots: targets.map { PollSlots.Slot(etag: $0.etag, lastModified: $0.lastModified) },
            maxTotal: limits.maxConnections, maxPerHost: limits.maxConnectionsPerHost, nowMs: WallClock.milliseconds())
        var results: [PollResult] = []

        /// Starts the poll of meter `i`, due at `slot`, which the gate let through: its timeout
        /// counts from the slot, so a poll that waited at the gate has only what is left.
        func start(_ i: Int, slot: Int64, now: Int64) {
            let t = targets[i]
            let left = Int64(t.timeoutMs) - (now - slot)
            var easy: EasyHandle?
            do {
                guard left > 0 else {
                    throw PollStartError.waited(ms: now - slot, limits: limits)
                }
                let h = try handles.take(for: i, security: t.security)
                easy = h
                try h.prepare(
                    url: t.url, connectTimeoutMs: t.connectTimeoutMs, timeoutMs: Int(left), maxBytes: t.maxBytes,
                    body: t.body)
                let validators =
                    t.conditional
                    ? [
                        machine.slots[i].etag.map { "If-None-Match: \($0)" },
                        machine.slots[i].lastModified.map { "If-Modified-Since: \($0)" },
                    ].compactMap { $0 } : []
                try h.setRequestHeaders(t.headers + validators)
                try multi.add(h)
                machine.started(i, slot: slot, https: origins[i]?.scheme == "https")
            } catch {
                if let easy { handles.give(easy) }
                machine.startFailed(i, now: now)
                let failed = PollResult(
                    meterID: t.meterID, url: t.url, receivedAt: WallClock.timestamp(), status: 0, body: [],
                    failure: .transport("\(error)"))
                results.append(failed)
                for id in t.alsoFor { results.append(failed.for(meter: id)) }
            }
        }

        var lastTurn: Int64 = 0
        var lastAnswers = 0
        while !state.withLock({ $0.stopping }) {
            var now = WallClock.milliseconds()
            for due in machine.due(now: now, mayPoll: mayPoll) {
                switch due {
                case .start(let i, let slot): start(i, slot: slot, now: now)
                case .skip(let i):
                    logger.debug(
                        "poll slot skipped: previous poll still running",
                        metadata: ["meter.id": "\(targets[i].meterID)"])
                }
            }
            // A turn at most every `turnMicroseconds`: answers that come meanwhile wait in their
            // sockets and share one turn's wakeup and poll(2) of every socket, which at a few
            // thousand polls a second cost more than the transfers themselves. The polls just
            // started send their requests first, so a connection freed this turn is busy again
            // during the pause rather than after it. A turn that brought many answers is shared
            // already: the next one comes at once.
            let sinceTurn = WallClock.microseconds() - lastTurn
            if sinceTurn < Self.turnMicroseconds, lastAnswers < Self.sharedTurn {
                multi.sendAdded()
                usleep(UInt32(Self.turnMicroseconds - sinceTurn))
            }
            let wait = max(0, min(1_000, (machine.nextDue() ?? now + 1_000) - WallClock.milliseconds()))
            let finished = multi.poll(timeoutMs: Int(wait))
            lastTurn = WallClock.microseconds()
            lastAnswers = finished.count
            // One clock read for the turn: its results arrived within the same poll of the sockets.
            let receivedAt = WallClock.timestamp()
            now = receivedAt.microseconds / 1_000
            for (easy, error) in finished {
                let i = easy.tag
                let t = targets[i]
                var failure = easy.failure(error, maxBytes: t.maxBytes)
                let status = easy.responseCode
                if failure == nil, t.redirects != .none, Self.redirectStatuses.contains(status) {
                    switch followRedirect(
                        easy, target: t, meter: i, origin: origins[i], machine: &machine, multi: multi, now: now)
                    {
                    case .followed: continue
                    case .refused(let why): failure = .transport(why)
                    case .final: break
                    }
                }
                var result = PollResult(
                    meterID: t.meterID, url: t.url, receivedAt: receivedAt, status: status, body: easy.takeBody(),
                    failure: failure)
                let ok = failure == nil && status == 200
                if ok { result.contentType = easy.responseHeader("Content-Type") }
                machine.finished(
                    i, now: now,
                    PollSlots.Outcome(
                        succeeded: result.succeeded,
                        validators: ok ? (easy.responseHeader("ETag"), easy.responseHeader("Last-Modified")) : nil,
                        retryAfterMs: [429, 503].contains(status)
                            ? easy.responseHeader("Retry-After").flatMap { RetryAfter.milliseconds($0, nowMs: now) }
                            : nil,
                        multiplexed: status != 0 && easy.multiplexed))
                result.etag = machine.slots[i].etag
                result.lastModified = machine.slots[i].lastModified
                handles.give(easy)
                results.append(result)
                for id in t.alsoFor { results.append(result.for(meter: id)) }
            }
            for (i, slot) in machine.admitted() {
                start(i, slot: slot, now: now)
            }
            if !results.isEmpty {
                deliver(results)
                results.removeAll(keepingCapacity: true)
            }
            let made = handles.count
            state.withLock { $0.handlesMade = made }
        }
    }

    /// How many easy handles the poller has made: no more than its transfers that ran at once.
    public var handleCount: Int { state.withLock { $0.handlesMade } }

    /// The shortest time between two turns of the loop: what a poll may start late, or its
    /// answer be read late, for many polls to share a turn.
    static let turnMicroseconds: Int64 = 5_000
    /// Answers in one turn past which the turns are shared enough without a pause.
    static let sharedTurn = 32

    enum PollStartError: Error, CustomStringConvertible {
        case waited(ms: Int64, limits: ConnectionLimits)
        var description: String {
            switch self {
            case .waited(let ms, let limits):
                "timed out after \(ms) ms waiting for a connection (max_connections = \(limits.maxConnections), "
                    + "max_connections_per_host = \(limits.maxConnectionsPerHost) were busy)"
            }
        }
    }

    public func stop() {
        state.withLock {
            $0.stopping = true
            $0.waker?.wakeup()
        }
    }
}
