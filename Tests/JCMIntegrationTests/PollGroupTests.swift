import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Testing

@testable import JCMDaemon

/// Polls are written a group at a time (one COPY of readings for many polls). A reading the
/// server refuses must not cost the group's other polls, and the ledger must verify whichever
/// way a group was written.
@Suite("polls written in groups", .serialized)
struct PollGroupTests {
    static let t0: Int64 = 1_767_225_600_000_000

    func poll(_ meter: String, second: Int64, wh: Int) -> PollResult {
        let body = #"{"ts": "\#(Timestamp(microseconds: Self.t0 + second * 1_000_000))", "wh": \#(wh)}"#
        return PollResult(
            meterID: meter, url: "http://127.0.0.1/\(meter)?key=secret", receivedAt: Timestamp(date: Date()),
            status: 200,
            body: Array(body.utf8), failure: nil)
    }

    @Test func aConflictingReadingIsRejectedAndTheRestOfItsGroupStored() throws {
        let dir = TestCluster.scratch()
        let conninfo = try TestCluster.freshDatabase()
        let config = try FaultTests.config(gateway: 9, meters: 3, watch: dir + "/watch", state: dir)
        let spool = try Spool(directory: dir + "/spool", maxBytes: 1 << 30, logger: TestCluster.logger)
        let writer = IngestWriter(conninfo: conninfo, config: config, logger: TestCluster.logger, spool: spool)
        try writer.prepare()
        let intake = PollIntake(spool: spool, writer: writer, logger: TestCluster.logger, metrics: Metrics())
        let done = TestThread.spawn("writer") { writer.run() }

        intake.deliver([
            poll("M0", second: 0, wh: 1_000), poll("M1", second: 0, wh: 2_000), poll("M2", second: 0, wh: 3_000),
        ])
        #expect(eventually { try scalar(conninfo, "select count(*) from jcm.readings") == "3" })
        // M0 again as it was (a meter polled faster than it updates), M1 at the same time with
        // another value, M2 moving on: one group.
        intake.deliver([
            poll("M0", second: 0, wh: 1_000), poll("M1", second: 0, wh: 2_500), poll("M2", second: 1, wh: 3_010),
        ])
        #expect(eventually { try scalar(conninfo, "select count(*) from jcm.batches where kind = 'poll'") == "6" })
        writer.finish()
        done.wait()

        #expect(
            try rows(
                conninfo,
                "select m.id, r.value::text from jcm.readings r join jcm.meters m on m.key = r.meter order by m.id, r.ts"
            )
            .map { "\($0[0]!)=\($0[1]!)" } == ["M0=1", "M1=2", "M2=3", "M2=3.01"])
        let conflicts = try rows(
            conninfo, "select meter_id, detail from jcm.rejections where reason = 'duplicate_conflict'")
        #expect(conflicts.count == 1)
        #expect(conflicts.first?[0] == "M1")
        #expect(conflicts.first?[1]?.contains("already stored by batch") == true, "\(conflicts)")
        #expect(
            try scalar(conninfo, "select count(*) from jcm.batches where url like '%secret%'") == "0",
            "query-string keys are redacted")

        var findings: [String] = []
        let summary = try LedgerVerifier(conninfo: conninfo, scope: .init()) { findings.append($0) }.run()
        #expect(findings.isEmpty, "\(findings)")
        #expect(summary.readings == 4)
    }

    @Test func aMeterThatOnlyKeepsPollingFineHasItsStateRewrittenSeldom() throws {
        let dir = TestCluster.scratch()
        let conninfo = try TestCluster.freshDatabase()
        let config = try FaultTests.config(gateway: 9, meters: 1, watch: dir + "/watch", state: dir)
        let writer = IngestWriter(conninfo: conninfo, config: config, logger: TestCluster.logger)
        try writer.prepare()
        func state() throws -> [String?] {
            try rows(
                conninfo,
                "select last_status::text, consecutive_failures::text, last_poll_at::text from jcm.meter_state")[0]
        }
        try writer.writePolls([(poll("M0", second: 0, wh: 10), nil)])
        let first = try state()
        try writer.writePolls([(poll("M0", second: 1, wh: 11), nil)])
        #expect(try state() == first, "a second good poll within 30 s leaves the row as it was")
        var down = poll("M0", second: 2, wh: 12)
        down.status = 503
        try writer.writePolls([(down, nil)])
        #expect(try state()[0...1] == ["503", "1"], "a failure is written with its poll")
        try writer.writePolls([(poll("M0", second: 3, wh: 13), nil)])
        #expect(try state()[0...1] == ["200", "0"], "and so is the recovery")
        #expect(try scalar(conninfo, "select count(*) from jcm.batches where kind = 'poll'") == "4")
    }

    @Test func aReplayedGroupIsWrittenOnce() throws {
        let dir = TestCluster.scratch()
        let conninfo = try TestCluster.freshDatabase()
        let config = try FaultTests.config(gateway: 9, meters: 2, watch: dir + "/watch", state: dir)
        let polls = [poll("M0", second: 0, wh: 10), poll("M1", second: 0, wh: 20)]
        for _ in 0..<2 {
            // The same spool records twice: as after a crash between the commit and the cursor's move.
            let writer = IngestWriter(conninfo: conninfo, config: config, logger: TestCluster.logger)
            try writer.prepare()
            try writer.writePolls(polls.enumerated().map { ($0.element, "segment-1/\($0.offset)") })
        }
        #expect(try scalar(conninfo, "select count(*) from jcm.batches where kind = 'poll'") == "2")
        #expect(try scalar(conninfo, "select count(*) from jcm.readings") == "2")
    }

    /// A group the server refuses is redone a chunk per poll from the polls as the stage
    /// decoded them: each body is decoded once, however its group is written.
    @Test func aConflictInAGroupDecodesEachPollOnce() throws {
        let dir = TestCluster.scratch()
        let conninfo = try TestCluster.freshDatabase()
        let config = try FaultTests.config(gateway: 9, meters: 3, watch: dir + "/watch", state: dir)
        let writer = IngestWriter(conninfo: conninfo, config: config, logger: TestCluster.logger)
        try writer.prepare()
        try writer.writePolls([(poll("M0", second: 0, wh: 1_000), nil), (poll("M1", second: 0, wh: 2_000), nil)])
        #expect(writer.decodedPolls == 2)
        // M1 at the same time with another value: the server refuses the group's COPY.
        try writer.writePolls([
            (poll("M0", second: 1, wh: 1_010), nil), (poll("M1", second: 0, wh: 2_500), nil),
            (poll("M2", second: 0, wh: 3_000), nil),
        ])
        #expect(writer.decodedPolls == 5, "each of the three polls decoded once, though its group was written twice")
        #expect(
            try scalar(conninfo, "select count(*) from jcm.rejections where reason = 'duplicate_conflict'") == "1",
            "the group was redone a poll at a time (only that path finds the conflicting row)")
        #expect(
            try rows(
                conninfo,
                "select m.id, r.value::text from jcm.readings r join jcm.meters m on m.key = r.meter order by m.id, r.ts"
            )
            .map { "\($0[0]!)=\($0[1]!)" } == ["M0=1", "M0=1.01", "M1=2", "M2=3"])
        var findings: [String] = []
        _ = try LedgerVerifier(conninfo: conninfo, scope: .init()) { findings.append($0) }.run()
        #expect(findings.isEmpty, "\(findings)")
    }
}
