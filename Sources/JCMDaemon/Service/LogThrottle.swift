import Foundation

/// At most one log line per `interval` for an event that can repeat many times a second (a full
/// descriptor table fails every accept): the first is logged at once, later ones are counted and
/// the next line says how many were left out. The counter metric keeps the exact number.
final class LogThrottle: @unchecked Sendable {
    private let lock = NSLock()
    private let interval: TimeInterval
    private var last: Date?
    private var suppressed = 0

    init(interval: TimeInterval = 60) { self.interval = interval }

    /// The number left out since the last line when this one should be logged, else nil.
    func admit(now: Date = Date()) -> Int? {
        lock.withLock {
            if let last, now.timeIntervalSince(last) < interval {
                suppressed += 1
                return nil
            }
            last = now
            defer { suppressed = 0 }
            return suppressed
        }
    }
}
