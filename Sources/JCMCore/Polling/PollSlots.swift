/// The poll loop's bookkeeping as a pure machine, after async-http-client's connection pool: the
/// driver (`MeterPoller`, which alone touches libcurl) says what happened (the clock of a turn,
/// a transfer started or could not, one finished, a redirect followed) and the machine says which
/// polls to start. It holds each meter's slot, when each is due (`PollQueue`) and the connection
/// limits (`TransferGate`).
///
/// A meter whose previous poll is still running skips its slot, so a slow meter never delays
/// the others nor piles up requests; a failing one backs off (`PollBackoff`); one that waits at
/// the gate counts as in flight, its timeout running from its slot.
public struct PollSlots: Sendable {
    /// What the machine needs of a meter: when it is due, and how long it may back off.
    public struct Meter: Sendable {
        public var schedule: PollSchedule
        public var backoffCapMs: Int64
        /// Index of the meter's host (its origin), for the per-host limit.
        public var host: Int

        public init(schedule: PollSchedule, backoffCapMs: Int64, host: Int) {
            self.schedule = schedule
            self.backoffCapMs = backoffCapMs
            self.host = host
        }
    }

    /// What the loop knows of one meter between its polls.
    public struct Slot: Sendable, Equatable {
        public var inFlight = false
        public var failures = 0
        public var etag: String?
        public var lastModified: String?
        /// The poll in flight: the slot it is for, and the redirects it has followed.
        public var startedMs: Int64 = 0
        public var hops = 0
        /// Whether a hop of the poll in flight was https: from then on only https is followed.
        public var onHTTPS = false

        public init(etag: String? = nil, lastModified: String? = nil) {
            self.etag = etag
            self.lastModified = lastModified
        }
    }

    /// What to do with a meter whose slot came.
    public enum Due: Sendable, Equatable {
        /// Start its poll now, for the slot at `slot`.
        case start(meter: Int, slot: Int64)
        /// Its previous poll is still running: this slot is missed.
        case skip(meter: Int)
    }

    /// How a poll ended, as far as the schedule cares.
    public struct Outcome: Sendable {
        public var succeeded: Bool
        /// The validators of a 200 answer, for the next conditional request (nil: keep the old).
        public var validators: (etag: String?, lastModified: String?)?
        /// The server's Retry-After, in ms from now, for a 429 or 503.
        public var retryAfterMs: Int64?
        /// The transfer ran on a connection that multiplexes (HTTP/2): its host may take more.
        public var multiplexed: Bool

        public init(
            succeeded: Bool, validators: (etag: String?, lastModified: String?)? = nil, retryAfterMs: Int64? = nil,
            multiplexed: Bool = false
        ) {
            self.succeeded = succeeded
            self.validators = validators
            self.retryAfterMs = retryAfterMs
            self.multiplexed = multiplexed
        }
    }

    public private(set) var slots: [Slot]
    private let meters: [Meter]
    private var queue: PollQueue
    private var gate: TransferGate
    /// Drawn from for the backoff's jitter (a test passes its own).
    private let draw: @Sendable (ClosedRange<Int64>) -> Int64

    /// Every meter is first due at its first slot after `nowMs`.
    public init(
        meters: [Meter], slots: [Slot], maxTotal: Int, maxPerHost: Int, nowMs: Int64,
        draw: @escaping @Sendable (ClosedRange<Int64>) -> Int64 = { Int64.random(in: $0) }
    ) {
        precondition(meters.count == slots.count)
        self.meters = meters
        self.slots = slots
        self.draw = draw
        queue = PollQueue(firstDue: meters.map { $0.schedule.nextDue(after: nowMs - 1) })
        gate = TransferGate(hostOf: meters.map(\.host), maxTotal: maxTotal, maxPerHost: maxPerHost)
    }

    /// When the next meter is due (nil: none is queued).
    public mutating func nextDue() -> Int64? { queue.nextDue() }

    /// The meters whose slot has come by `now`, each queued again at its next slot. `mayPoll` is
    /// asked for each that is not still running (false misses the slot: the spool is nearly
    /// full); one the gate holds back waits there, in flight, and comes out of `admitted`.
    public mutating func due(now: Int64, mayPoll: () -> Bool) -> [Due] {
        var out: [Due] = []
        while let i = queue.popDue(now: now) {
            queue.schedule(i, at: meters[i].schedule.nextDue(after: now))
            if slots[i].inFlight {
                out.append(.skip(meter: i))
                continue
            }
            guard mayPoll() else { continue }
            if gate.request(i) {
                out.append(.start(meter: i, slot: now))
            } else {
                // Counts as in flight: its next slot is skipped if it still waits then.
                slots[i].inFlight = true
                slots[i].startedMs = now
            }
        }
        return out
    }

    /// The polls the gate lets through now that transfers ended, each with the slot it waited for.
    public mutating func admitted() -> [(meter: Int, slot: Int64)] {
        var out: [(meter: Int, slot: Int64)] = []
        while let i = gate.nextAdmitted() { out.append((i, slots[i].startedMs)) }
        return out
    }

    /// The driver handed the poll of `meter` for `slot` to libcurl.
    public mutating func started(_ meter: Int, slot: Int64, https: Bool) {
        slots[meter].inFlight = true
        slots[meter].startedMs = slot
        slots[meter].hops = 0
        slots[meter].onHTTPS = https
    }

    /// The poll of `meter` could not start (no time left after the gate, a handle refused an
    /// option): a failure, backed off like any other.
    public mutating func startFailed(_ meter: Int, now: Int64) {
        slots[meter].inFlight = false
        gate.finished(meter)
        backOff(meter, now: now, retryAfterMs: nil)
    }

    /// The poll of `meter` follows a redirect (to https or not).
    public mutating func hopped(_ meter: Int, toHTTPS: Bool) {
        slots[meter].hops += 1
        if toHTTPS { slots[meter].onHTTPS = true }
    }

    /// The poll of `meter` ended.
    public mutating func finished(_ meter: Int, now: Int64, _ outcome: Outcome) {
        slots[meter].inFlight = false
        gate.finished(meter)
        if outcome.multiplexed { gate.multiplexes(meter) }
        if let v = outcome.validators {
            slots[meter].etag = v.etag
            slots[meter].lastModified = v.lastModified
        }
        if outcome.succeeded {
            slots[meter].failures = 0
        } else {
            backOff(meter, now: now, retryAfterMs: outcome.retryAfterMs)
        }
    }

    private mutating func backOff(_ meter: Int, now: Int64, retryAfterMs: Int64?) {
        slots[meter].failures += 1
        let m = meters[meter]
        queue.schedule(
            meter,
            at: PollBackoff.nextDue(
                m.schedule, afterMs: now, failures: slots[meter].failures, retryAfterMs: retryAfterMs,
                capMs: m.backoffCapMs, draw: draw))
    }
}
