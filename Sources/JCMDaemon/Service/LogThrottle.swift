import Foundation
import Synchronization

/// At most one log line per `interval` for an event that can repeat many times a second (a full
/// descriptor table fails every accept): the first is logged at once, later ones are counted and
/// the next line says how many were left out. The counter metric keeps the exact number.
final class LogThrottle: Sendable {
    private struct State {
        var last: Date?
        var suppressed = 0
    }

    private let interval: TimeInterval
    private let state = Mutex(State())

    init(interval: TimeInterval = 60) { self.interval = interval }

    /// The number left out since the last line when this one should be logged, else nil.
    func admit(now: Date = Date()) -> Int? {
        state.withLock { s in
            if let last = s.last, now.timeIntervalSince(last) < interval {
                s.suppressed += 1
                return nil
            }
            s.last = now
            defer { s.suppressed = 0 }
            return s.suppressed
        }
    }
}
