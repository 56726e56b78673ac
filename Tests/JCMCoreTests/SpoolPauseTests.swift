import Testing

@testable import JCMCore

/// When polling pauses for the spool, without a spool.
@Suite struct SpoolPauseTests {
    @Test func pausesNearTheLimitAndResumesWellBelowIt() {
        var p = SpoolPause()
        #expect(p.mayPoll(used: 0.5, now: 0) == (true, .none))
        #expect(p.mayPoll(used: 0.89, now: 1) == (true, .none))
        #expect(p.mayPoll(used: 0.9, now: 2) == (false, .paused))
        #expect(p.mayPoll(used: 0.8, now: 3) == (false, .none), "between the marks it stays paused")
        #expect(p.mayPoll(used: 0.75, now: 4) == (false, .none))
        #expect(p.mayPoll(used: 0.74, now: 5) == (true, .resumed))
        #expect(p.mayPoll(used: 0.8, now: 6) == (true, .none), "between the marks it stays running")
    }

    @Test func aFailedAppendPausesForItsRetryTimeAndIsLoudOnce() {
        var p = SpoolPause()
        #expect(p.appendFailed(now: 100))
        #expect(p.mayPoll(used: 0, now: 100) == (false, .paused))
        #expect(!p.appendFailed(now: 105), "failing again while paused is not news")
        #expect(p.mayPoll(used: 0, now: 114.9) == (false, .none), "each failure restarts the wait")
        #expect(p.mayPoll(used: 0, now: 115) == (true, .resumed))
        #expect(p.appendFailed(now: 200), "after polls resumed, a failure is news again")
    }
}
