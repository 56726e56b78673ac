/// When a meter is polled. Each meter gets a fixed phase inside its interval, derived from its
/// id, so 10,000 meters on "60s" spread over the minute instead of firing together, and a
/// meter's polls stay on its grid (t = phase + k·interval): a slow response never shifts the
/// next poll, and missed slots are skipped rather than fired in a burst.
public struct PollSchedule: Sendable, Equatable {
    public let intervalMs: Int64
    public let phaseMs: Int64

    public init(intervalMs: Int64, phaseMs: Int64) {
        precondition(intervalMs > 0)
        self.intervalMs = intervalMs
        self.phaseMs = ((phaseMs % intervalMs) + intervalMs) % intervalMs
    }

    /// Phase from a stable hash (FNV-1a) of the meter id: the same across restarts and machines.
    public init(intervalMs: Int64, meterID: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in meterID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0100_0000_01b3
        }
        self.init(intervalMs: intervalMs, phaseMs: Int64(hash % UInt64(intervalMs)))
    }

    /// The first slot strictly after `nowMs`.
    public func nextDue(after nowMs: Int64) -> Int64 {
        let k = (nowMs - phaseMs).floorDiv(intervalMs) + 1
        return phaseMs + k * intervalMs
    }
}
