import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Testing

@testable import JCMDaemon

/// Signed checkpoints: the daemon's are C2SP signed notes an independent reader accepts, and a
/// chain that no longer extends one (a tail cut, a rollback, a rewritten period head) is found.
@Suite("signed checkpoints", .serialized)
struct CheckpointTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func poll(_ meter: String, second: Int64, wh: Int) -> PollResult {
        ForeignLinkTests().poll(meter, second: second, wh: wh)
    }

    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func head(_ conninfo: String) throws -> (seq: String?, hash: String?) {
        let r = try rows(
            conninfo,
            "select seq::text, encode(chain_hash, 'hex') from jcm.ledger where project = 'IN-JP-0001' order by seq desc limit 1"
        )
        return (r.first?[0], r.first?[1])
    }

    func verify(_ conninfo: String, _ notes: [(Checkpoint.Note, String)] = []) throws -> [String] {
        var findings: [String] = []
        let verifier = try LedgerVerifier(conninfo: conninfo, scope: .init()) { findings.append($0) }
        verifier.checkpoints = notes
        _ = try verifier.run()
        return findings
    }

    @Test func theDaemonsCheckpointIsASignedNoteThatAnIndependentReaderAccepts() throws {
        let conninfo = try TestCluster.freshDatabase()
        let dir = TestCluster.scratch()
        let config = try ForeignLinkTests.config(state: dir + "/state", watch: dir + "/watch")
        let writer = IngestWriter(conninfo: conninfo, config: config, logger: TestCluster.logger)
        try writer.prepare()
        try writer.writePolls([(poll("M0", second: 0, wh: 1_000), nil), (poll("N0", second: 0, wh: 5), nil)])
        try writer.writePolls([(poll("M0", second: 60, wh: 1_010), nil)])
        try writer.checkpointIfDue(force: true)

        let file =
            CheckpointWriter.folder(stateDir: dir + "/state") + "/" + LedgerDigest.hex(Array("IN-JP-0001".utf8))
            + ".checkpoint"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let notes = try Checkpoint.parse(text)
        let (seq, hash) = try head(conninfo)
        #expect(
            notes.count == 1 && notes[0].checkpoint.size == Int64(seq ?? "")
                && LedgerDigest.hex(notes[0].checkpoint.hash) == hash)
        #expect(
            text.hasPrefix("jcm-ingestd/IN-JP-0001\n\(seq!)\n") && text.contains("\n\n\u{2014} jcm-ingestd-"), "\(text)"
        )
        // One per chain: the two projects', and '' (the plan version's batch).
        #expect(try scalar(conninfo, "select count(*) from jcm.checkpoints") == "3", "one per chain")
        #expect(CheckpointWriter.latest(stateDir: dir + "/state").components(separatedBy: "\u{2014} ").count == 4)

        // The independent reader: Python and the `cryptography` package.
        let key = LedgerDigest.hex(try SigningKeyFile.load(stateDir: dir + "/state", create: false).publicKey)
        let script = Self.repo.appendingPathComponent("deploy/check_checkpoint.py").path
        let ok = try Self.python([script, key, file])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.output.contains("OK jcm-ingestd/IN-JP-0001 \(seq!) \(hash!)"), "\(ok.output)")
        let temp = TempDir()
        let forged = temp.write("forged", text.replacingOccurrences(of: "\n\(seq!)\n", with: "\n\(Int(seq!)! + 1)\n"))
        let bad = try Self.python([script, key, forged])
        #expect(bad.status == 1 && bad.output.hasPrefix("BAD "), "\(bad.output)")
        #expect(try verify(conninfo) == [])
    }

    @Test func aTailCutARollbackAndARewrittenOrDeletedPeriodAreFound() throws {
        let conninfo = try TestCluster.freshDatabase()
        let dir = TestCluster.scratch()
        let state = dir + "/state"
        let config = try ForeignLinkTests.config(state: state, watch: dir + "/watch")
        var writer = IngestWriter(conninfo: conninfo, config: config, logger: TestCluster.logger)
        try writer.prepare()
        for s: Int64 in [0, 60] { try writer.writePolls([(poll("M0", second: s, wh: 1_000 + Int(s)), nil)]) }
        // A period declared now is frozen on link #2; its checkpoint names it.
        let db = try Connection(conninfo: conninfo)
        let period = try PeriodStore(db: db).declare(
            project: "IN-JP-0001", name: "MR-1", starts: Timestamp(microseconds: 0),
            ends: Timestamp(microseconds: ForeignLinkTests.t0))
        let signer = try SigningKeyFile.load(stateDir: state, create: false)
        try CheckpointWriter(config: config, signer: signer, logger: TestCluster.logger)
            .write(
                Checkpoint(
                    project: "IN-JP-0001", size: period.headSeq!, hash: LedgerDigest.bytes(hex: period.headHash!)!,
                    extensions: ["period MR-1"]), db: db)
        for s: Int64 in [120, 180] { try writer.writePolls([(poll("M0", second: s, wh: 1_000 + Int(s)), nil)]) }
        try writer.checkpointIfDue(force: true)
        let kept = try Checkpoint.parse(CheckpointWriter.latest(stateDir: state)).map { ($0, "kept") }
        #expect(kept.count == 3, "the period's, IN-JP-0001's and the chain ''s (the plan version)")
        #expect(try verify(conninfo, kept) == [])

        // A tail cut as superuser, checkpoints and all: found against the kept checkpoint, and
        // without it against the table's... which the superuser emptied: then the period's head holds.
        func cut(to seq: Int) throws {
            try Connection(conninfo: conninfo).execute(
                """
                set session_replication_role = replica;
                delete from jcm.readings where batch in (select batch from jcm.ledger where project = 'IN-JP-0001' and seq > \(seq));
                delete from jcm.batches where id in (select batch from jcm.ledger where project = 'IN-JP-0001' and seq > \(seq));
                delete from jcm.ledger where project = 'IN-JP-0001' and seq > \(seq);
                delete from jcm.checkpoints where project = 'IN-JP-0001' and size > \(seq);
                """)
        }
        try cut(to: 3)
        let cutFound = try verify(conninfo, kept)
        #expect(
            cutFound.count == 1 && cutFound[0].contains("has link #4, but the chain ends at #3: links removed"),
            "\(cutFound)")
        #expect(try verify(conninfo) == [], "the table's newest checkpoint went with the tail")
        let temp = TempDir()
        let cli = try VerifyCommandTests.run([
            "verify", "--conninfo", conninfo, "--checkpoint",
            temp.write("kept", CheckpointWriter.latest(stateDir: state)),
        ])
        #expect(cli.status == 1 && cli.out.contains("chain cut below a checkpoint"), "\(cli.out)")

        try cut(to: 1)
        #expect(
            try verify(conninfo).contains { $0.contains("period IN-JP-0001 MR-1: frozen on link #2, which is gone") })

        // A rollback: the chain cut back, then written again by a daemon restored from a backup.
        try FileManager.default.removeItem(atPath: ChainHeadGuard.path(stateDir: state))
        writer = IngestWriter(conninfo: conninfo, config: config, logger: TestCluster.logger)
        try writer.prepare()
        for s: Int64 in [240, 300, 360] { try writer.writePolls([(poll("M0", second: s, wh: 2_000 + Int(s)), nil)]) }
        let rolledBack = try verify(conninfo, kept)
        #expect(
            rolledBack.contains {
                $0.contains("link #4 is not the one the checkpoint of IN-JP-0001 at size 4 (kept) signed")
            }, "\(rolledBack)")
        #expect(
            rolledBack.contains { $0.contains("period IN-JP-0001 MR-1: its head hash is not that of link #2") },
            "\(rolledBack)")

        // The period's head rewritten to match the new chain: found against its declaration's checkpoint.
        try Connection(conninfo: conninfo).execute(
            """
            set session_replication_role = replica;
            update jcm.monitoring_periods set head_seq = 3, head_hash = (select chain_hash from jcm.ledger where project = 'IN-JP-0001' and seq = 3)
            """)
        let rewritten = try verify(conninfo, kept)
        #expect(
            rewritten.contains {
                $0.contains(
                    "period IN-JP-0001 MR-1: frozen on link #3, not on #2 as its declaration's checkpoint (kept) signed"
                )
            },
            "\(rewritten)")
        try Connection(conninfo: conninfo).execute(
            "set session_replication_role = replica; delete from jcm.monitoring_periods")
        #expect(
            try verify(conninfo, kept).contains {
                $0.contains("period IN-JP-0001 MR-1: declared") && $0.contains("its row was deleted")
            })
    }

    /// The witness: every checkpoint also lands in a second folder and is POSTed to a URL, as
    /// written; a witness URL that refuses it is logged, and the checkpoint is kept all the same.
    @Test func checkpointsAreShippedToTheWitnessFolderAndURL() throws {
        let received = Received()
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            received.append(request)
            return request.path == "/refuse" ? .text("no\n", status: 500) : .text("kept\n")
        }
        server.start()
        defer { server.stop() }
        let conninfo = try TestCluster.freshDatabase()
        let dir = TestCluster.scratch()
        var config = try ForeignLinkTests.config(state: dir + "/state", watch: dir + "/watch")
        config.daemon.checkpointWitnessDir = dir + "/witness"
        config.daemon.checkpointWitnessURL = "http://127.0.0.1:\(server.port)/witness"
        let writer = IngestWriter(conninfo: conninfo, config: config, logger: TestCluster.logger)
        try writer.prepare()
        try writer.writePolls([(poll("M0", second: 0, wh: 1_000), nil)])
        try writer.checkpointIfDue(force: true)

        let name = LedgerDigest.hex(Array("IN-JP-0001".utf8)) + ".checkpoint"
        let kept = try String(
            contentsOfFile: CheckpointWriter.folder(stateDir: dir + "/state") + "/" + name, encoding: .utf8)
        #expect(try String(contentsOfFile: dir + "/witness/" + name, encoding: .utf8) == kept)
        let posts = received.requests.filter { $0.method == "POST" && $0.path == "/witness" }
        let bodies = posts.map { String(decoding: $0.body, as: UTF8.self) }
        #expect(bodies.contains(kept), "\(bodies)")
        #expect(
            posts.allSatisfy { p in
                p.headers.contains { $0.name == "content-type" && $0.value.hasPrefix("text/plain") }
            })
        // What the witness holds reads with the independent reader, against the daemon's key.
        let key = LedgerDigest.hex(try SigningKeyFile.load(stateDir: dir + "/state", create: false).publicKey)
        let script = Self.repo.appendingPathComponent("deploy/check_checkpoint.py").path
        let temp = TempDir()
        let posted = temp.write("posted.checkpoint", try #require(bodies.first { $0 == kept }))
        let ok = try Self.python([script, key, posted])
        #expect(ok.status == 0 && ok.output.contains("OK jcm-ingestd/IN-JP-0001"), "\(ok.output)")

        // A witness URL that answers 500: logged, and the checkpoint is written all the same.
        let capture = LogCapture()
        config.daemon.checkpointWitnessURL = "http://127.0.0.1:\(server.port)/refuse"
        let refused = IngestWriter(conninfo: conninfo, config: config, logger: capture.logger)
        try refused.prepare()
        try refused.writePolls([(poll("M0", second: 60, wh: 1_010), nil)])
        try refused.checkpointIfDue(force: true)
        #expect(received.requests.contains { $0.path == "/refuse" })
        #expect(capture.count("checkpoint not accepted by the witness URL") >= 1, "\(capture.lines)")
        let after = try Checkpoint.parse(
            try String(contentsOfFile: dir + "/witness/" + name, encoding: .utf8))
        #expect(after.first?.checkpoint.size == Int64(try head(conninfo).seq ?? ""))
    }

    final class Received: @unchecked Sendable {
        private let lock = NSLock()
        private var all: [HTTPRequest] = []
        func append(_ r: HTTPRequest) { lock.withLock { all.append(r) } }
        var requests: [HTTPRequest] { lock.withLock { all } }
    }
}
