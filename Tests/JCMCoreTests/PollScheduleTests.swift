import Testing

@testable import JCMCore

@Suite struct PollScheduleTests {
    @Test func phasesSpreadOverTheInterval() {
        let interval: Int64 = 60_000
        let count = 10_000
        var perSecond = [Int](repeating: 0, count: 60)
        for i in 0..<count {
            let s = PollSchedule(intervalMs: interval, meterID: "IN-JP-\(i / 100)-M\(i % 100)")
            #expect(s.phaseMs >= 0 && s.phaseMs < interval)
            perSecond[Int(s.phaseMs / 1_000)] += 1
        }
        // An even spread puts about 167 (1.7%) in each second; no second may hold more than 3%.
        #expect(perSecond.max()! <= count * 3 / 100, "busiest second holds \(perSecond.max()!)")
        #expect(perSecond.min()! > 0)
    }

    @Test func phaseIsStableAndDependsOnTheID() {
        let a = PollSchedule(intervalMs: 60_000, meterID: "IN-JP-0001-PV-M1")
        let b = PollSchedule(intervalMs: 60_000, meterID: "IN-JP-0001-PV-M1")
        let c = PollSchedule(intervalMs: 60_000, meterID: "IN-JP-0001-PV-M2")
        #expect(a == b)
        #expect(a.phaseMs != c.phaseMs)
        // FNV-1a 64 of the empty string is the offset basis itself.
        #expect(PollSchedule(intervalMs: 60_000, meterID: "").phaseMs == Int64(0xcbf2_9ce4_8422_2325 % UInt64(60_000)))
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (published test vector).
        #expect(
            PollSchedule(intervalMs: 1_000_000, meterID: "a").phaseMs
                == Int64(0xaf63_dc4c_8601_ec8c % UInt64(1_000_000)))
    }

    @Test(arguments: [Int64(-1), -60_000, -60_001, 60_000, 125_000])
    func phaseIsReducedIntoTheInterval(_ phase: Int64) {
        let s = PollSchedule(intervalMs: 60_000, phaseMs: phase)
        #expect(s.phaseMs >= 0 && s.phaseMs < 60_000)
        #expect((s.phaseMs - phase) % 60_000 == 0)
    }

    @Test(arguments: [
        // (interval, phase, now, next)
        (Int64(60_000), Int64(15_000), Int64(0), Int64(15_000)),
        (60_000, 15_000, 14_999, 15_000),
        (60_000, 15_000, 15_000, 75_000),  // strictly after: a slot equal to now is already taken
        (60_000, 15_000, 15_001, 75_000),
        (60_000, 0, 0, 60_000),
        (60_000, 0, 59_999, 60_000),
        (60_000, 15_000, -1, 15_000),
        (60_000, 15_000, -45_000, 15_000),
        (60_000, 15_000, -45_001, -45_000),
        (5_000, 1_234, 1_764_152_130_000, 1_764_152_131_234),
    ])
    func nextDue(_ interval: Int64, _ phase: Int64, _ now: Int64, _ next: Int64) {
        #expect(PollSchedule(intervalMs: interval, phaseMs: phase).nextDue(after: now) == next)
    }

    @Test func nextDueIsOnTheGridStrictlyAfterNowAndStable() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<2_000 {
            let interval = Int64(rng.next() % 86_400_000) + 1
            let s = PollSchedule(intervalMs: interval, meterID: "M\(rng.next())")
            let now = Int64(rng.next() % 4_000_000_000_000) - 1_000_000_000_000
            let due = s.nextDue(after: now)
            #expect(due > now)
            #expect(due - now <= interval)
            #expect((due - s.phaseMs) % interval == 0)
            #expect(s.nextDue(after: now) == due)
            // Any instant before `due` and at or after the previous slot gives the same answer.
            #expect(s.nextDue(after: due - 1) == due)
            #expect(s.nextDue(after: due - interval) == due)
        }
    }

    /// Following the schedule from each due time (plus a random late response) never drifts off the grid
    /// and never fires a missed slot twice.
    @Test func noDriftOverManySteps() {
        let s = PollSchedule(intervalMs: 60_000, meterID: "IN-JP-0002-CH-M1")
        var rng = SplitMix64(seed: 7)
        var now: Int64 = 1_764_152_130_000
        var previous = s.nextDue(after: now)
        now = previous
        for _ in 0..<100_000 {
            let lateness = Int64(rng.next() % 150_000)  // sometimes longer than two intervals
            let due = s.nextDue(after: now + lateness)
            #expect((due - s.phaseMs) % 60_000 == 0)
            #expect(due > previous)
            #expect(due == previous + ((lateness / 60_000) + 1) * 60_000)
            previous = due
            now = due
        }
    }
}

/// Deterministic generator so a failing property test reproduces.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
