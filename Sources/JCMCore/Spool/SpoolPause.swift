/// When polling pauses for the spool: once the spool holds `pauseAt` of its limit, until it is
/// back below `resumeBelow`; and for `appendRetrySeconds` after an append failed (disk full, an
/// I/O error). A pure value: the poll intake keeps it behind its lock and logs what it says.
public struct SpoolPause: Sendable, Equatable {
    /// Pause at this share of `spool_max_bytes`, resume below the second.
    public static let pauseAt = 0.9
    public static let resumeBelow = 0.75
    /// After a failed append, how long polling pauses before trying again.
    public static let appendRetrySeconds = 10.0

    public enum Change: Sendable, Equatable {
        case none
        case paused
        case resumed
    }

    public private(set) var paused = false
    /// Until when polls wait after a failed append (seconds since 1970).
    private var retryAppendAt: Double?

    public init() {}

    /// Asked at each due slot, with the share of its limit the spool holds: whether the poll may
    /// go, and whether that just changed.
    public mutating func mayPoll(used: Double, now: Double) -> (allowed: Bool, change: Change) {
        let was = paused
        if let until = retryAppendAt, until > now {
            paused = true
        } else {
            retryAppendAt = nil
            paused = paused ? used >= Self.resumeBelow : used >= Self.pauseAt
        }
        return (!paused, was == paused ? .none : paused ? .paused : .resumed)
    }

    /// An append failed: polls wait `appendRetrySeconds`. True when this is the first failure
    /// since appends last worked (the one worth a loud log line).
    public mutating func appendFailed(now: Double) -> Bool {
        defer { retryAppendAt = now + Self.appendRetrySeconds }
        return retryAppendAt == nil
    }
}
