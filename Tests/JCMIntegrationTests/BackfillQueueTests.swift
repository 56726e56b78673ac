import Foundation
import JCMCore
import Testing

@testable import JCMDaemon

/// The backfill's pure parts, without a gateway or a database: the gap detection the writer
/// runs in its stage, and the backfiller's schedule.
@Suite("gap detection and the backfill queue, pure")
struct BackfillQueueTests {
    static let t0: Int64 = 1_767_225_600_000_000
    static let second: Int64 = 1_000_000

    func reading(_ s: Int64, _ v: String) -> Reading {
        Reading(
            meterKey: 1, timestamp: Timestamp(microseconds: Self.t0 + s * Self.second),
            value: ExactDecimal(parsing: v)!, rawValue: v, rawUnit: "Wh", flags: [], extra: nil)
    }

    func gap(after: Int64, through: Int64, meter: String = "EMON") -> BackfillGap {
        BackfillGap(
            meterID: meter,
            window: HistoryRequest.Window(
                after: Timestamp(microseconds: after), through: Timestamp(microseconds: through)),
            before: BackfillMark(timestamp: Timestamp(microseconds: after), value: ExactDecimal(parsing: "1")!))
    }

    @Test func aJumpPastTheIntervalIsAGapFromTheReadingBeforeIt() throws {
        let config = try BackfillTests.emoncms("http://127.0.0.1:9")
        let meter = config.meters.first { $0.id == "EMON" }!
        let interval = meter.poll!.intervalMilliseconds / 1_000
        var gaps = GapDetector()
        #expect(gaps.unseeded([meter, meter]) == ["EMON"])
        gaps.seed(["EMON"], newest: [:])
        #expect(gaps.unseeded([meter]).isEmpty, "read once, even when nothing is stored")
        let now = Timestamp(microseconds: Self.t0 + 3_600 * Self.second)
        #expect(gaps.note(meter, [reading(0, "10")], now: now) == nil, "the first reading: nothing before it")
        #expect(gaps.note(meter, [reading(interval, "11")], now: now) == nil, "the next interval: no gap")
        let found = gaps.note(meter, [reading(interval * 10, "20")], now: now)
        #expect(found?.window.after == Timestamp(microseconds: Self.t0 + interval * Self.second))
        #expect(found?.window.through == Timestamp(microseconds: Self.t0 + interval * 10 * Self.second - 1))
        #expect(found?.before.value == ExactDecimal(parsing: "11"))
        #expect(gaps.marks["EMON"]?.value == ExactDecimal(parsing: "20"))
    }

    func queue(horizonMs: Int64 = 3_600_000, retryMs: Int64 = 60_000) -> BackfillQueue {
        BackfillQueue(
            limits: ["EMON": .init(horizonMs: horizonMs, retryMs: retryMs)], schedules: [:], now: 0)
    }

    @Test func gapsOfOneMeterMergeAndAreTakenInTurn() {
        var q = queue()
        let now: Int64 = 10_000_000  // ms
        let ms: Int64 = 1_000
        q.request(gap(after: (now - 600_000) * ms, through: (now - 500_000) * ms), now: now)
        q.request(gap(after: (now - 700_000) * ms, through: (now - 400_000) * ms), now: now)
        q.request(gap(after: (now - 100_000) * ms, through: (now - 50_000) * ms, meter: "OTHER"), now: now)
        guard case .work(.gap(let g)) = q.next(now: now) else {
            Issue.record("a gap is due")
            return
        }
        #expect(g.window.after.microseconds == (now - 700_000) * ms)
        #expect(g.window.through.microseconds == (now - 400_000) * ms)
        guard case .wait(until: nil) = q.next(now: now) else {
            Issue.record("one gap: the two merged, the unknown meter's dropped")
            return
        }
    }

    @Test func aFailedGapComesBackAfterTheRetryDelayAndAStopReturnsWhatIsLeft() {
        var q = queue(retryMs: 60_000)
        let now: Int64 = 10_000_000
        let g = gap(after: (now - 600_000) * 1_000, through: (now - 500_000) * 1_000)
        q.retry(g, now: now)
        guard case .wait(until: let at) = q.next(now: now) else {
            Issue.record("nothing before the retry")
            return
        }
        #expect(at == now + 60_000)
        guard case .work(.gap) = q.next(now: now + 60_000) else {
            Issue.record("the gap again once its delay is over")
            return
        }
        q.fetching(g)
        q.request(gap(after: (now - 300_000) * 1_000, through: (now - 200_000) * 1_000), now: now)
        #expect(q.stop().count == 2, "the gap in flight and the one waiting")
        guard case .stopped = q.next(now: now) else {
            Issue.record("stopped")
            return
        }
    }
}
