/// Which meters are down: a meter whose last `threshold` polls all failed. Pure bookkeeping; the
/// writer feeds it each poll's outcome and logs the transitions it reports, so a dead meter is
/// logged once when it goes down and once when it comes back, not at every poll.
public struct MeterHealth: Sendable {
    public enum Transition: Equatable, Sendable {
        case wentDown(failures: Int)
        case recovered(after: Int)
    }

    public let threshold: Int
    private var failures: [String: Int] = [:]

    public init(threshold: Int = 3) { self.threshold = threshold }

    public var downCount: Int { failures.values.count { $0 >= threshold } }

    public func isDown(_ meter: String) -> Bool { failures[meter, default: 0] >= threshold }

    /// Failures counted before a restart (jcm.meter_state), unless this run has seen the meter.
    public mutating func seed(meter: String, failures count: Int) {
        if failures[meter] == nil, count > 0 { failures[meter] = count }
    }

    public mutating func record(meter: String, ok: Bool) -> Transition? {
        let before = failures[meter, default: 0]
        if ok {
            failures[meter] = nil
            return before >= threshold ? .recovered(after: before) : nil
        }
        failures[meter] = before + 1
        return before + 1 == threshold ? .wentDown(failures: before + 1) : nil
    }

    /// Meters no longer configured are forgotten, so they do not count as down.
    public mutating func keep(only meters: Set<String>) {
        failures = failures.filter { meters.contains($0.key) }
    }
}
