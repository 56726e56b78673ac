import Testing

@testable import JCMCore

@Suite("poll backoff")
struct PollBackoffTests {
    let schedule = PollSchedule(intervalMs: 10_000, phaseMs: 3_000)

    @Test func eachFailureDoublesTheWaitUpToTheCapAndStaysOnTheGrid() {
        let now: Int64 = 1_000_000
        // No failure or one: the next slot. Then the first slot at least 2, 4, 8 intervals away,
        // capped at 60 s (slots fall at 3 s past each 10 s), at the longest draw; at the
        // shortest, just over half of that.
        let longest = (0...6).map {
            PollBackoff.nextDue(schedule, afterMs: now, failures: $0, capMs: 60_000, draw: { $0.upperBound }) - now
        }
        #expect(longest == [3_000, 3_000, 23_000, 43_000, 63_000, 63_000, 63_000])
        let shortest = (0...6).map {
            PollBackoff.nextDue(schedule, afterMs: now, failures: $0, capMs: 60_000, draw: { $0.lowerBound }) - now
        }
        #expect(shortest == [3_000, 3_000, 13_000, 23_000, 33_000, 33_000, 33_000])
        for f in 0...6 {
            let due = PollBackoff.nextDue(schedule, afterMs: now, failures: f, capMs: 60_000)
            #expect((due - 3_000) % 10_000 == 0, "on the meter's grid")
        }
    }

    @Test func metersFailingTogetherComeBackSpreadOverTheWait() {
        let now: Int64 = 1_000_000
        let waits = (0..<1_000).map { _ in PollBackoff.nextDue(schedule, afterMs: now, failures: 6, capMs: 60_000) - now
        }
        #expect(Set(waits) == [33_000, 43_000, 53_000, 63_000])
    }

    @Test func retryAfterIsHonouredWhenLongerAndBoundedByAnHour() {
        let now: Int64 = 1_000_000
        #expect(
            PollBackoff.nextDue(schedule, afterMs: now, failures: 1, retryAfterMs: 25_000, capMs: 60_000) == 1_033_000)
        // Shorter than the backoff: the backoff wins.
        #expect(
            PollBackoff.nextDue(
                schedule, afterMs: now, failures: 4, retryAfterMs: 1_000, capMs: 60_000, draw: { $0.upperBound })
                == 1_063_000)
        // A server asking for a day gets an hour.
        #expect(
            PollBackoff.nextDue(schedule, afterMs: now, failures: 1, retryAfterMs: 86_400_000, capMs: 60_000)
                == 4_603_000)
    }

    @Test func retryAfterReadsSecondsAndHTTPDates() {
        let now: Int64 = 784_111_777_000 - 120_000  // two minutes before Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.milliseconds("120", nowMs: now) == 120_000)
        #expect(RetryAfter.milliseconds(" 0 ", nowMs: now) == 0)
        #expect(RetryAfter.milliseconds("Sun, 06 Nov 1994 08:49:37 GMT", nowMs: now) == 120_000)
        #expect(
            RetryAfter.milliseconds("Sun, 06 Nov 1994 08:49:37 GMT", nowMs: now + 600_000) == 0,
            "a date in the past: now")
        for bad in ["-5", "soon", "Sunday, 06-Nov-94 08:49:37 GMT", "", "1.5"] {
            #expect(RetryAfter.milliseconds(bad, nowMs: now) == nil, "\(bad)")
        }
    }
}
