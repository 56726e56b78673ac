import JCMCore

/// The backfiller's schedule as a value: which windowed poll is due, which gap is fetched next,
/// when to look again. It does no I/O and reads no clock (times are milliseconds since the
/// epoch, passed in); Backfiller performs what it says.
struct BackfillQueue: Sendable {
    /// Per backfilled meter: how far back a gap may reach, and how long after a failed request
    /// it is asked for again.
    struct Limits: Sendable {
        var horizonMs: Int64
        var retryMs: Int64
    }

    enum Work {
        /// A windowed meter's poll is due.
        case poll(String)
        case gap(BackfillGap)
    }

    enum Next {
        case work(Work)
        /// Nothing to do before this time (nil: until something is requested).
        case wait(until: Int64?)
        case stopped
    }

    private let limits: [String: Limits]
    private let schedules: [String: PollSchedule]
    /// The windowed meters' next slots.
    private var due: [String: Int64] = [:]
    private var pending: [BackfillGap] = []
    /// Gaps whose request failed, and when they are asked for again.
    private var later: [(at: Int64, gap: BackfillGap)] = []
    /// The gap being fetched, from the request in flight on.
    private var current: BackfillGap?
    private(set) var stopping = false
    private var nextID = 1

    init(limits: [String: Limits], schedules: [String: PollSchedule], now: Int64) {
        self.limits = limits
        self.schedules = schedules
        for (meterID, schedule) in schedules { due[meterID] = schedule.nextDue(after: now) }
    }

    /// Queues a gap; one already waiting for the same meter grows to cover both. A gap kept from
    /// an earlier run, or retried, may reach back past the horizon by now: it is cut there, or
    /// dropped when wholly older.
    mutating func request(_ gap: BackfillGap, now: Int64) {
        guard let limit = limits[gap.meterID] else { return }
        var gap = gap
        gap.window.after = max(gap.window.after, Timestamp(microseconds: (now - limit.horizonMs) * 1_000))
        guard gap.window.after < gap.window.through else { return }
        if let i = pending.firstIndex(where: { $0.meterID == gap.meterID }) {
            if gap.window.after < pending[i].window.after {
                pending[i].window.after = gap.window.after
                pending[i].before = gap.before
            }
            pending[i].window.through = max(pending[i].window.through, gap.window.through)
            return
        }
        gap.id = nextID
        nextID += 1
        pending.append(gap)
    }

    /// A gap whose request failed: asked for again after its meter's `backoff_max`.
    mutating func retry(_ gap: BackfillGap, now: Int64) {
        guard let limit = limits[gap.meterID] else { return }
        later.append((now + limit.retryMs, gap))
    }

    /// What to do now: a due windowed poll before any gap (live data first), then the gaps.
    mutating func next(now: Int64) -> Next {
        guard !stopping else { return .stopped }
        if let meterID = takeDuePoll(now: now) { return .work(.poll(meterID)) }
        for entry in later where entry.at <= now { request(entry.gap, now: now) }
        later.removeAll { $0.at <= now }
        if !pending.isEmpty { return .work(.gap(pending.removeFirst())) }
        return .wait(until: (Array(due.values) + later.map(\.at)).min())
    }

    /// The windowed meter whose poll is due, its next slot set.
    mutating func takeDuePoll(now: Int64) -> String? {
        guard let (meterID, at) = due.min(by: { $0.value < $1.value }), at <= now, let schedule = schedules[meterID]
        else { return nil }
        due[meterID] = schedule.nextDue(after: now)
        return meterID
    }

    /// When the next windowed poll is due, if any.
    var nextPollAt: Int64? { due.values.min() }

    /// The part of a gap being fetched now (nil: none).
    mutating func fetching(_ gap: BackfillGap?) { current = gap }

    /// Stops: the gaps not yet finished, for the next run. The one being fetched from the request
    /// in flight on, then those waiting.
    mutating func stop() -> [BackfillGap] {
        stopping = true
        let left = (current.map { [$0] } ?? []) + pending + later.map(\.gap)
        pending = []
        later = []
        current = nil
        return left
    }
}
