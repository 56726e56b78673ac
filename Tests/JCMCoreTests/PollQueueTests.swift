import Testing

@testable import JCMCore

@Suite struct PollQueueTests {
    @Test func popsEveryMeterDueInTimeOrderAndNoOther() {
        var q = PollQueue(firstDue: [50, 10, 30, 10, 70])
        #expect(q.nextDue() == 10)
        var popped: [Int] = []
        while let i = q.popDue(now: 30) { popped.append(i) }
        #expect(Set(popped) == [1, 2, 3])
        #expect(popped.last == 2, "10, 10, then 30")
        #expect(q.popDue(now: 49) == nil)
        #expect(q.nextDue() == 50)
    }

    @Test func aRescheduledMeterIsDueOnlyAtItsNewTime() {
        var q = PollQueue(firstDue: [100, 200])
        q.schedule(0, at: 500)  // a failure's backoff moves it past its queued slot
        #expect(q.nextDue() == 200, "the stale entry at 100 is not reported")
        #expect(q.popDue(now: 400) == 1)
        #expect(q.popDue(now: 400) == nil, "meter 0 is not due at its old time")
        #expect(q.popDue(now: 500) == 0)
        #expect(q.popDue(now: 10_000) == nil, "each meter popped once")
        q.schedule(0, at: 50)  // earlier than anything queued: goes to the front
        #expect(q.nextDue() == 50)
    }

    /// Against the scan the poller did before (every meter with due <= now), over many turns of
    /// random time steps, slots and failures: the same meters, each once, and the heap bounded.
    @Test func matchesALinearScanOverManyTurns() {
        var rng = SplitMix64(seed: 11)
        let n = 500
        var model = (0..<n).map { _ in Int64(rng.next() % 1_000) }
        var q = PollQueue(firstDue: model)
        var now: Int64 = 0
        for _ in 0..<5_000 {
            now += Int64(rng.next() % 40)
            let expected = Set(model.indices.filter { model[$0] <= now })
            var got: [Int] = []
            while let i = q.popDue(now: now) {
                got.append(i)
                let next = now + 1 + Int64(rng.next() % 1_000)
                model[i] = next
                q.schedule(i, at: next)
            }
            #expect(got.count == Set(got).count, "a meter popped twice in one turn")
            #expect(Set(got) == expected)
            // Some polls fail after their next slot was queued: backoff moves them again.
            for _ in 0..<Int(rng.next() % 4) {
                let i = Int(rng.next() % UInt64(n))
                let later = now + 1 + Int64(rng.next() % 5_000)
                model[i] = later
                q.schedule(i, at: later)
            }
            #expect(q.due == model)
        }
        #expect(q.nextDue() == model.min())
        #expect(
            q.entryCount <= 3 * n, "stale entries are dropped as they surface: \(q.entryCount) held for \(n) meters")
    }

    @Test func tenThousandMetersOnTheirGridAreDueOncePerInterval() {
        let schedules = (0..<10_000).map { PollSchedule(intervalMs: 1_000, meterID: "SIM-\($0)") }
        let start: Int64 = 1_764_152_130_000
        var q = PollQueue(firstDue: schedules.map { $0.nextDue(after: start - 1) })
        var polls = [Int](repeating: 0, count: schedules.count)
        var now = start
        while now < start + 10_000 {
            now += 7
            while let i = q.popDue(now: now) {
                polls[i] += 1
                q.schedule(i, at: schedules[i].nextDue(after: now))
            }
        }
        #expect(polls.allSatisfy { $0 == 10 || $0 == 11 }, "each meter once a second for 10 s: \(Set(polls))")
        #expect(q.entryCount == schedules.count)
    }
}
