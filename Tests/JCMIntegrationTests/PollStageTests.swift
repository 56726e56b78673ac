import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Testing

@testable import JCMDaemon

/// The pure stage of the poll path (decode and validate into a batch), without a database.
@Suite("the poll stage, without a database")
struct PollStageTests {
    static let t0: Int64 = 1_767_225_600_000_000

    func poll(_ meter: String, second: Int64, wh: Int, status: Int = 200) -> PollResult {
        let body = #"{"ts": "\#(Timestamp(microseconds: Self.t0 + second * 1_000_000))", "wh": \#(wh)}"#
        return PollResult(
            meterID: meter, url: "http://127.0.0.1/\(meter)?key=secret", receivedAt: Timestamp(date: Date()),
            status: status, body: Array(body.utf8), failure: nil)
    }

    /// The configured meters numbered 1, 2, 3… as a database would number them.
    func setUp() throws -> (Config, PollStage.State) {
        let config = try FaultTests.config(gateway: 9, meters: 3, watch: "/nonexistent/watch", state: "/nonexistent")
        var keys: [String: Int32] = [:]
        for (i, m) in config.meters.enumerated() { keys[m.id] = Int32(i + 1) }
        let validator = ReadingValidator(
            registry: MeterRegistry(meters: config.meters, keys: keys, projects: config.projects),
            clockSkewMilliseconds: config.daemon.clockSkewMilliseconds)
        return (config, PollStage.State(validator: validator))
    }

    func decode(_ r: PollResult, _ config: Config) -> PollStage.Decoded {
        let meter = config.meters.first { $0.id == r.meterID }!
        return PollStage.decode(r, spoolRecord: nil, meter: meter, poll: meter.poll!)
    }

    func readings(_ item: PollStage.Item) -> [Reading] {
        item.rows.compactMap { if case .reading(let r) = $0 { r } else { nil } }
    }

    func rejections(_ item: PollStage.Item) -> [Rejection] {
        item.rows.compactMap { if case .rejection(let r) = $0 { r } else { nil } }
    }

    @Test func aBatchHoldsTheRowsTheRefusalsTheDuplicatesAndTheNextState() throws {
        let (config, state) = try setUp()
        var garbled = poll("M1", second: 0, wh: 5)
        garbled.body = Array("not json".utf8)
        let polls = [
            poll("M0", second: 0, wh: 1_000), poll("M0", second: 0, wh: 1_000), garbled,
            poll("M2", second: 0, wh: 7, status: 503),
        ].map { decode($0, config) }
        let batch = PollStage.validate(polls, from: state, now: Timestamp(date: Date()))

        #expect(batch.items.count == 4)
        #expect(readings(batch.items[0]).map(\.value) == [ExactDecimal(parsing: "1")!])
        #expect(readings(batch.items[1]).isEmpty && batch.items[1].duplicates == 1, "the same reading again is counted")
        #expect(rejections(batch.items[2]).count == 1 && batch.items[2].refusals.count == 1)
        #expect(rejections(batch.items[2]).first?.raw.location.contains("secret") == false, "the url is redacted")
        #expect(rejections(batch.items[3]).map(\.reason) == [.httpStatus])
        #expect(batch.gaps.isEmpty, "no meter here is backfilled")
        let m0 = try #require(state.validator.registry.lookup("M0")).key
        #expect(batch.state.recent[m0]?.newest == Timestamp(microseconds: Self.t0))
        #expect(state.recent.isEmpty, "the state it started from is left as it was")

        let outcomes = zip(polls, batch.items).map { poll, item in
            var counts = ChunkCounts()
            counts.accepted = readings(item).count
            counts.duplicates = item.duplicates
            return PollStage.outcome(poll, item, counts)
        }
        #expect(outcomes.map(\.label) == ["ok", "ok", "failed", "failed"])
        #expect(outcomes[3].state.error == "HTTP status 503")
    }

    /// What a group's redo relies on: the same polls validated again from the same state give the
    /// same rows, without decoding them again.
    @Test func validatingAgainFromTheSameStateGivesTheSameBatch() throws {
        let (config, state) = try setUp()
        let polls = [poll("M0", second: 0, wh: 10), poll("M1", second: 0, wh: 20), poll("M0", second: 60, wh: 12)]
            .map { decode($0, config) }
        let now = Timestamp(date: Date())
        let first = PollStage.validate(polls, from: state, now: now)
        let again = PollStage.validate(polls, from: state, now: now)
        #expect(first.items.map(readings) == again.items.map(readings))
        #expect(first.items.map(readings).map(\.count) == [1, 1, 1])
    }

    @Test func aNotModifiedAnswerIsNeitherARowNorAFailure() throws {
        let (config, state) = try setUp()
        let decoded = decode(poll("M0", second: 0, wh: 10, status: 304), config)
        let batch = PollStage.validate([decoded], from: state, now: Timestamp(date: Date()))
        #expect(batch.items[0].rows.isEmpty)
        #expect(PollStage.outcome(decoded, batch.items[0], ChunkCounts()).label == "not_modified")
    }
}

/// How a group of polls is written, as a value, without a database.
@Suite("the poll group's state machine")
struct PollGroupMachineTests {
    @Test func aRefusedGroupIsRedoneAChunkAPollThenGivenUp() {
        var m = PollGroupMachine(polls: 3)
        #expect(m.start == .write(grouped: true))
        #expect(m.refused() == .write(grouped: false))
        #expect(m.refused() == .fail, "a row refused a chunk at a time is the database's for good")
    }

    @Test func aCommittedGroupIsDone() {
        var m = PollGroupMachine(polls: 2)
        #expect(m.start == .write(grouped: true))
        #expect(m.committed() == .done)
        #expect(PollGroupMachine(polls: 0).start == .done)
    }

    @Test func aHaltHoldsItsPollsAndTheRestStartAgainAsAGroup() {
        var m = PollGroupMachine(polls: 4)
        #expect(m.refused() == .write(grouped: false))
        #expect(m.halted() == .holdHalted)
        #expect(m.held(left: 3) == .write(grouped: true), "after a halt the rest go as a group again")
        #expect(m.polls == 3)
        #expect(m.halted() == .holdHalted)
        #expect(m.held(left: 3) == .fail, "no poll of the halted chain among them: the halt is passed on")
        var all = PollGroupMachine(polls: 2)
        _ = all.halted()
        #expect(all.held(left: 0) == .done)
    }
}
