import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Testing

@testable import JCMDaemon

/// What happens when things fail for real: the database stops, the daemon is killed, the disk
/// fills. Each test counts readings expected, found and duplicated.
@Suite("faults: nothing lost, nothing twice", .serialized)
struct FaultTests {
    /// A gateway that remembers every reading it served, and can stop serving readings (503)
    /// so the count holds still while the daemon catches up.
    final class Gateway: @unchecked Sendable {
        private let lock = NSLock()
        private var counters: [String: Int] = [:]
        private(set) var frozen = false
        var server: HTTPServer!

        var served: Int { lock.withLock { counters.values.reduce(0, +) } }
        func freeze() { lock.withLock { frozen = true } }

        init() throws {
            server = try HTTPServer(host: "127.0.0.1", port: 0) { [unowned self] request in
                let meter = String(request.path.dropFirst())
                let n: Int? = lock.withLock {
                    if frozen { return nil }
                    counters[meter, default: 0] += 1
                    return counters[meter]!
                }
                guard let n else { return .text("frozen\n", status: 503) }
                return .json(#"{"ts": "\#(Timestamp(date: Date()))", "wh": \#(1_000 + n * 10)}"#)
            }
            server.start()
        }
    }

    static func config(gateway: UInt16, meters: Int, watch: String, state: String, url: String = "") throws -> Config {
        var text = """
            [database]
            url = "\(url)"
            [daemon]
            state_dir = "\(state)"
            [[project]]
            id = "IN-JP-0001"
            methodology = "IN_AM001 ver01.0"
            [[meter]]
            id = "R-1"
            project = "IN-JP-0001"
            parameter = "EG_p"
            kind = "interval"
            unit = "kWh"
            [[watch]]
            dir = "\(watch)"

            """
        for i in 0..<meters {
            text += """
                [[meter]]
                id = "M\(i)"
                project = "IN-JP-0001"
                parameter = "EG_p"
                kind = "cumulative"
                unit = "kWh"
                url = "http://127.0.0.1:\(gateway)/M\(i)"
                interval = "1s"
                json.value = "wh"
                json.unit = "Wh"
                json.timestamp = "ts"

                """
        }
        return try Config.parse(text)
    }

    /// A report of `rows` readings of meter R-1 from `start` (minutes), and one bad row.
    static func report(start: Int, rows: Int) -> String {
        var text = "meter_id,timestamp,value,unit\n"
        for i in start..<start + rows {
            text += "R-1,\(Timestamp(microseconds: 1_767_225_600_000_000 + Int64(i) * 60_000_000)),\(i % 97).25,kWh\n"
        }
        return text + "R-1,2026-01-01T00:00:00Z,not-a-number,kWh\n"
    }

    @Test func aDatabaseOutageLosesNoPollAndNoReport() throws {
        let root = TestCluster.scratch()
        let cluster = EmbeddedCluster(root: root + "/pg", database: "jcm", durable: false)
        _ = try cluster.start(logger: TestCluster.logger)
        defer { try? cluster.stop() }
        let conninfo = cluster.conninfo()
        let gateway = try Gateway()
        defer { gateway.server.stop() }
        let watch = root + "/drop"
        mkdir(watch, 0o755)
        let config = try Self.config(gateway: gateway.server.port, meters: 4, watch: watch, state: root + "/state")
        let running = DaemonTests.Running(Daemon(config: config, conninfo: conninfo, logger: TestCluster.logger))
        defer { _ = running.stop() }
        let pollRows = "select count(*) from jcm.readings_view where meter_id like 'M%'"
        #expect(eventually(20) { Int(try scalar(conninfo, pollRows) ?? "0")! >= 4 })

        try cluster.stop()
        let servedBefore = gateway.served
        for i in 0..<2 {
            try Self.report(start: i * 500, rows: 500).write(
                toFile: watch + "/outage-\(i).csv", atomically: true, encoding: .utf8)
        }
        Thread.sleep(forTimeInterval: 4)
        let servedDuringOutage = gateway.served - servedBefore
        _ = try cluster.start(logger: TestCluster.logger)

        Thread.sleep(forTimeInterval: 2)
        gateway.freeze()
        let expected = gateway.served
        var found = 0
        let caughtUp = eventually(60) {
            found = Int(try scalar(conninfo, pollRows) ?? "0")!
            return found == expected
        }
        let batches = Int(
            try scalar(conninfo, "select count(*) from jcm.batches where kind = 'poll' and http_status = 200") ?? "0")!
        let reportRows = eventually(30) {
            try scalar(conninfo, "select count(*) from jcm.readings_view where meter_id = 'R-1'") == "1000"
        }
        #expect(
            servedDuringOutage >= 8,
            "the meters were polled while the database was down: \(servedDuringOutage) readings")
        #expect(caughtUp, "readings expected \(expected), found \(found)")
        #expect(
            batches == expected, "responses stored \(batches) for \(expected) served: \(batches - expected) duplicated")
        #expect(reportRows, "both reports dropped during the outage are in")
        #expect(
            eventually(10) {
                (try? FileManager.default.contentsOfDirectory(atPath: watch + "/rejected"))?.filter {
                    $0.hasSuffix(".csv")
                }.count == 2
            },
            "each report (one bad row each) left the folder")
        #expect(running.stop())
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func killDashNineWhileIngestingEndsEqualToACleanRun() throws {
        let root = TestCluster.scratch()
        let files = 24
        let perFile = 3_000
        let source = root + "/reports"
        mkdir(source, 0o755)
        for i in 0..<files {
            try Self.report(start: i * perFile, rows: perFile).write(
                toFile: source + "/r\(i).csv", atomically: true, encoding: .utf8)
        }
        // The clean run: `ingest` of the same files into a database of its own.
        let clean = try TestCluster.freshDatabase()
        let cleanConfig = root + "/clean.toml"
        try Self.configText(url: clean, watch: root + "/unused", state: root + "/clean-state").write(
            toFile: cleanConfig, atomically: true, encoding: .utf8)
        let ingest = try CommandLineTests.run(
            ["ingest", "--config", cleanConfig] + (0..<files).map { source + "/r\($0).csv" })
        #expect(ingest.status == 2, "every file has one rejected row: \(ingest.err)")

        // The killed runs: the daemon on a folder holding the same files, killed -9 five times.
        let killed = try TestCluster.freshDatabase()
        let watch = root + "/drop"
        mkdir(watch, 0o755)
        for i in 0..<files {
            try FileManager.default.copyItem(atPath: source + "/r\(i).csv", toPath: watch + "/r\(i).csv")
        }
        let config = root + "/daemon.toml"
        try Self.configText(url: killed, watch: watch, state: root + "/state").write(
            toFile: config, atomically: true, encoding: .utf8)
        var kills = 0
        var left: [Int] = []
        for attempt in 0..<5 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
            p.arguments = ["run", "--config", config]
            p.standardError = FileHandle.nullDevice
            try p.run()
            Thread.sleep(forTimeInterval: 0.4 + Double(attempt) * 0.15)
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                kills += 1
            }
            p.waitUntilExit()
            left.append(
                try FileManager.default.contentsOfDirectory(atPath: watch).filter { $0.hasSuffix(".csv") }.count)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
        p.arguments = ["run", "--config", config]
        p.standardError = FileHandle.nullDevice
        try p.run()
        let drained = eventually(60) {
            try FileManager.default.contentsOfDirectory(atPath: watch).filter { $0.hasSuffix(".csv") }.isEmpty
        }
        p.terminate()
        p.waitUntilExit()
        #expect(drained)
        #expect(kills == 5)
        #expect(
            left.filter { $0 > 0 }.count >= 3,
            "killed while reports were still waiting; reports left after each kill: \(left)")

        let readings =
            "select count(*), count(distinct (meter, ts)), md5(string_agg(meter || '|' || ts || '|' || value || '|' || status, ',' order by meter, ts)) from jcm.readings"
        let rejections =
            "select count(*), count(distinct location), md5(string_agg(location || '|' || reason || '|' || raw, ',' order by location)) from jcm.rejections"
        let expected = try rows(clean, readings)[0]
        let found = try rows(killed, readings)[0]
        #expect(expected[0] == String(files * perFile))
        #expect(found[0] == expected[0], "readings expected \(expected[0] ?? "?"), found \(found[0] ?? "?")")
        #expect(found[0] == found[1], "duplicated readings: \(Int(found[0] ?? "0")! - Int(found[1] ?? "0")!)")
        #expect(found[2] == expected[2], "the same meters, times, values and verdicts as the clean run")
        let expectedRejections = try rows(clean, rejections)[0]
        let foundRejections = try rows(killed, rejections)[0]
        #expect(foundRejections[0] == String(files), "rejections expected \(files), found \(foundRejections[0] ?? "?")")
        #expect(foundRejections[0] == foundRejections[1], "no rejection written twice")
        #expect(foundRejections[2] == expectedRejections[2])
        #expect(try scalar(killed, "select count(*) from jcm.reports") == String(files))
    }

    static func configText(url: String, watch: String, state: String) -> String {
        """
        [database]
        url = "\(url)"
        [daemon]
        state_dir = "\(state)"
        [[project]]
        id = "IN-JP-0001"
        methodology = "IN_AM001 ver01.0"
        [[meter]]
        id = "R-1"
        project = "IN-JP-0001"
        parameter = "EG_p"
        kind = "interval"
        unit = "kWh"
        [[watch]]
        dir = "\(watch)"
        """
    }

    @Test(.enabled(if: TmpfsMount.available, "needs root to mount a small tmpfs"))
    func aFullSpoolDiskPausesPollingAndLosesNothing() throws {
        let disk = try #require(TmpfsMount(bytes: 64 * 1024))
        let gateway = try Gateway()
        defer { gateway.server.stop() }
        let config = try Self.config(
            gateway: gateway.server.port, meters: 1, watch: disk.path + "/unused", state: disk.path)
        let conninfo = try TestCluster.freshDatabase()
        let spool = try Spool(directory: disk.path + "/spool", maxBytes: 1 << 30, logger: TestCluster.logger)
        let writer = IngestWriter(conninfo: conninfo, config: config, logger: TestCluster.logger, spool: spool)
        try writer.prepare()
        let intake = PollIntake(spool: spool, writer: writer, logger: TestCluster.logger, metrics: Metrics())
        let pad = String(repeating: "x", count: 2_000)
        var pausedAfter: Int?
        let delivered = 60
        for i in 0..<delivered {
            let body =
                #"{"ts": "\#(Timestamp(microseconds: 1_767_225_600_000_000 + Int64(i) * 1_000_000))", "wh": \#(1_000 + i), "pad": "\#(pad)"}"#
            intake.deliver([
                PollResult(
                    meterID: "M0", url: "http://127.0.0.1/M0", receivedAt: Timestamp(date: Date()), status: 200,
                    body: Array(body.utf8), failure: nil)
            ])
            if pausedAfter == nil, !intake.mayPoll() { pausedAfter = i }
        }
        #expect(pausedAfter != nil, "polling paused once the disk under the spool was full")
        let done = TestThread.spawn("writer") { writer.run() }
        writer.finish()
        done.wait()
        let found = Int(try scalar(conninfo, "select count(*) from jcm.readings") ?? "0")!
        #expect(found == delivered, "readings expected \(delivered), found \(found)")
        #expect(
            try scalar(conninfo, "select count(*) from jcm.batches where spool_record is null") != "0",
            "some were held in memory, not spooled")
    }
}
