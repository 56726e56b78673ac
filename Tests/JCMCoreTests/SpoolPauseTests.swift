import Testing

@testable import JCMCore

/// When polling pauses for the spool, without a spool.
@Suite struct SpoolPauseTests {
    @Test func pausesNearTheLimitAndResumesWellBelowIt() {
        var p = SpoolPause()
        let steps: [(used: Double, allowed: Bool, change: SpoolPause.Change)] = [
            (0.5, true, .none), (0.89, true, .none), (0.9, false, .paused),
            (0.8, false, .none),  // between the marks it stays paused
            (0.75, false, .none), (0.74, true, .resumed),
            (0.8, true, .none),  // between the marks it stays running
        ]
        for (i, step) in steps.enumerated() {
            let got = p.mayPoll(used: step.used, now: Double(i))
            #expect(got.allowed == step.allowed && got.change == step.change, "at \(step.used): \(got)")
        }
    }

    @Test func aFailedAppendPausesForItsRetryTimeAndIsLoudOnce() {
        var p = SpoolPause()
        let first = p.appendFailed(now: 100)
        #expect(first)
        let during = p.mayPoll(used: 0, now: 100)
        #expect(!during.allowed && during.change == .paused)
        let again = p.appendFailed(now: 105)
        #expect(!again, "failing again while paused is not news")
        let restarted = p.mayPoll(used: 0, now: 114.9)
        #expect(!restarted.allowed && restarted.change == .none, "each failure restarts the wait")
        let after = p.mayPoll(used: 0, now: 115)
        #expect(after.allowed && after.change == .resumed)
        let news = p.appendFailed(now: 200)
        #expect(news, "after polls resumed, a failure is news again")
    }
}
