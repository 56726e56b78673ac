import Testing

@testable import JCMCore

/// The poll loop's bookkeeping, without libcurl: what starts, what skips, what waits at the gate,
/// how a failure backs off and what a success keeps.
@Suite struct PollSlotsTests {
    /// Meters polled every second with no phase, all on host 0 unless told.
    static func machine(_ count: Int, hosts: [Int]? = nil, maxTotal: Int = 100, maxPerHost: Int = 100) -> PollSlots {
        PollSlots(
            meters: (0..<count).map {
                PollSlots.Meter(
                    schedule: PollSchedule(intervalMs: 1_000, phaseMs: 0), backoffCapMs: 8_000, host: hosts?[$0] ?? 0)
            },
            slots: (0..<count).map { _ in PollSlots.Slot() }, maxTotal: maxTotal, maxPerHost: maxPerHost, nowMs: 0,
            draw: { $0.upperBound })
    }

    @Test func aMeterStillRunningSkipsItsSlotAndAFinishedOneIsDueAgain() {
        var m = Self.machine(2)
        #expect(m.due(now: 1_000, mayPoll: { true }) == [.start(meter: 0, slot: 1_000), .start(meter: 1, slot: 1_000)])
        m.started(0, slot: 1_000, https: false)
        m.started(1, slot: 1_000, https: false)
        m.finished(1, now: 1_400, .init(succeeded: true))
        #expect(m.due(now: 2_000, mayPoll: { true }) == [.skip(meter: 0), .start(meter: 1, slot: 2_000)])
        #expect(m.nextDue() == 3_000)
    }

    @Test func theGateHoldsPollsBeyondTheLimitAndLetsThemThroughInOrderWithTheirSlot() {
        var m = Self.machine(3, maxTotal: 1)
        #expect(m.due(now: 1_000, mayPoll: { true }) == [.start(meter: 0, slot: 1_000)])
        #expect(m.slots[1].inFlight && m.slots[2].inFlight, "waiting at the gate counts as in flight")
        m.started(0, slot: 1_000, https: false)
        #expect(m.admitted().isEmpty)
        m.finished(0, now: 1_300, .init(succeeded: true))
        // Which of the two waiting goes first is the queue's order among equal due times.
        let next = m.admitted()
        #expect(next.count == 1 && [1, 2].contains(next[0].meter))
        #expect(next.map(\.slot) == [1_000], "its timeout runs from its slot")
    }

    @Test func failuresBackOffDoublingUpToTheCapAndASuccessResets() {
        var m = Self.machine(1)
        var due: [Int64] = []
        var now: Int64 = 1_000
        for _ in 0..<5 {
            _ = m.due(now: now, mayPoll: { true })
            m.started(0, slot: now, https: false)
            m.finished(0, now: now + 100, .init(succeeded: false))
            now = m.nextDue()!
            due.append(now)
        }
        // After each failure (100 ms into its slot) a wait of 0, 2, 4, 8 and 8 s (the cap), each the
        // longest of its range (the test's draw), then the next slot on the meter's grid.
        #expect(due == [2_000, 5_000, 10_000, 19_000, 28_000])
        #expect(m.slots[0].failures == 5)
        _ = m.due(now: now, mayPoll: { true })
        m.started(0, slot: now, https: false)
        m.finished(0, now: now + 100, .init(succeeded: true))
        #expect(m.slots[0].failures == 0 && m.nextDue() == now + 1_000)
    }

    @Test func retryAfterIsHonouredAndAStartThatFailsBacksOffToo() {
        var m = Self.machine(2)
        _ = m.due(now: 1_000, mayPoll: { true })
        m.started(0, slot: 1_000, https: false)
        m.finished(0, now: 1_100, .init(succeeded: false, retryAfterMs: 30_000))
        m.startFailed(1, now: 1_000)
        #expect(!m.slots[1].inFlight && m.slots[1].failures == 1)
        #expect(m.due(now: 2_000, mayPoll: { true }) == [.start(meter: 1, slot: 2_000)], "meter 0 waits 30 s")
        m.started(1, slot: 2_000, https: false)
        m.finished(1, now: 2_050, .init(succeeded: true))
        #expect(!m.due(now: 31_000, mayPoll: { true }).contains(.start(meter: 0, slot: 31_000)))
        #expect(m.due(now: 32_000, mayPoll: { true }).contains(.start(meter: 0, slot: 32_000)))
    }

    @Test func validatorsAreKeptFromASuccessAndASpoolThatIsFullMissesTheSlot() {
        var m = Self.machine(1)
        #expect(m.due(now: 1_000, mayPoll: { false }).isEmpty, "missed, not queued at the gate")
        #expect(!m.slots[0].inFlight)
        _ = m.due(now: 2_000, mayPoll: { true })
        m.started(0, slot: 2_000, https: true)
        #expect(m.slots[0].onHTTPS && m.slots[0].hops == 0)
        m.hopped(0, toHTTPS: false)
        #expect(m.slots[0].hops == 1 && m.slots[0].onHTTPS, "once on https, only https is followed")
        m.finished(0, now: 2_200, .init(succeeded: true, validators: ("\"v1\"", "Tue, 01 Dec 2026 10:00:00 GMT")))
        #expect(m.slots[0].etag == "\"v1\"")
        m.finished(0, now: 3_200, .init(succeeded: true))
        #expect(m.slots[0].etag == "\"v1\"", "an answer without validators (a 304) keeps them")
    }

    @Test func aHostThatMultiplexesTakesMoreThanItsConnections() {
        var plain = Self.machine(3, maxPerHost: 1)
        _ = plain.due(now: 1_000, mayPoll: { true })
        plain.finished(0, now: 1_050, .init(succeeded: true))
        #expect(plain.admitted().count == 1, "one connection, one transfer at a time")

        var m = Self.machine(3, maxPerHost: 1)
        #expect(m.due(now: 1_000, mayPoll: { true }) == [.start(meter: 0, slot: 1_000)])
        m.started(0, slot: 1_000, https: true)
        m.finished(0, now: 1_050, .init(succeeded: true, multiplexed: true))
        #expect(Set(m.admitted().map(\.meter)) == [1, 2], "one connection carries many streams")
    }
}
