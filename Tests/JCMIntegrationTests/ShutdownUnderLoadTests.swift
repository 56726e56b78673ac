import Foundation
import JCMDaemon
import Testing

/// systemd stops the daemon with SIGTERM and kills it TimeoutStopSec later. Under full load (2,000
/// meters polled every second, a 1,000,000-row report being ingested), the binary must exit 0 in
/// time, and everything it received must land: the polls (committed, or in the spool for the
/// next start) and the report (all of it, once, or none of it and still in its folder).
@Suite("shutdown under load")
struct ShutdownUnderLoadTests {
    static let meters = 2_000
    static let fileRows = 1_000_000

    @Test(.enabled(if: ChildDaemon.available))
    func sigtermWhile2000MetersPollAndAMillionRowFileIngestsExitsInTimeAndLosesNothing() throws {
        let simulator = MeterSimulator(
            meters: Self.meters, startedAt: Date().timeIntervalSince1970 - 86_400, now: MeterSimulator.wallClock)
        let server = try BackgroundServer("simulator") { onRunning in
            SimulatorServer(simulator: simulator, host: "127.0.0.1", port: 0, onRunning: onRunning)
        }
        defer { server.stop() }
        let conninfo = try TestCluster.freshDatabase()
        let dir = TempDir()
        let incoming = dir.file("incoming")
        try FileManager.default.createDirectory(atPath: incoming, withIntermediateDirectories: true)
        let report = try Self.writeReport(dir.file("big.csv"), meters: 100)
        func count(_ sql: String) -> Int { Int((try? scalar(conninfo, sql)) ?? nil ?? "-1") ?? -1 }

        // Run 1: polling at full rate, then the file, then SIGTERM while both are under way.
        let first = try ChildDaemon(
            config: Self.config(conninfo, dir, incoming, polledFrom: server.port), dir: dir, openFiles: 16_384)
        defer { first.stop() }
        #expect(
            eventually(120) {
                !first.process.isRunning || count("select count(*) from jcm.batches where kind = 'poll'") > 4_000
            })
        try #require(first.process.isRunning, "\(first.logText.suffix(2_000))")
        #expect(rename(report, incoming + "/big.csv") == 0)
        // The watcher takes a file once it has settled (a second or two); a million rows then take
        // longer to write than the wait below, so the stop comes in the middle of them.
        Thread.sleep(forTimeInterval: 4)
        let stopSent = Date()
        kill(first.process.processIdentifier, SIGTERM)
        let limit = try Self.timeoutStopSeconds()
        while first.process.isRunning && Date().timeIntervalSince(stopSent) < limit + 5 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let took = Date().timeIntervalSince(stopSent)
        #expect(!first.process.isRunning, "still running \(Int(took)) s after SIGTERM")
        first.stop()
        #expect(took < limit, "exit took \(took) s; systemd kills at TimeoutStopSec=\(Int(limit))")
        #expect(first.process.terminationStatus == 0, "\(first.logText.suffix(2_000))")
        let stopped = first.logText.split(separator: "\n").last {
            $0.contains("stopped") && $0.contains("polls.received=")
        }
        let received = stopped.flatMap { line in
            line.split(separator: " ").first { $0.hasPrefix("polls.received=") }.flatMap {
                Int($0.dropFirst("polls.received=".count))
            }
        }
        let received1 = try #require(received, "\(first.logText.suffix(2_000))")
        #expect(received1 > 4_000)
        let fileRowsAfterStop = count(
            "select count(*) from jcm.readings r join jcm.batches b on b.id = r.batch where b.kind = 'file'")
        let fileWaited = FileManager.default.fileExists(atPath: incoming + "/big.csv")
        #expect(fileWaited ? fileRowsAfterStop == 0 : fileRowsAfterStop == Self.fileRows, "all of the file or none")
        print(
            "shutdown under load: exit \(String(format: "%.1f", took)) s after SIGTERM (TimeoutStopSec=\(Int(limit))),"
                + " \(received1) polls received, the file \(fileWaited ? "left in its folder" : "written") with"
                + " \(fileRowsAfterStop) rows")

        // Run 2: the spool and the folder are what it starts from. Its meters are the same (a
        // spooled poll is decoded with its meter's configuration; one no longer configured is
        // dropped), polled hourly at a closed port: its own polls fail, and are told from the
        // spooled ones by their URL.
        let second = try ChildDaemon(
            config: Self.config(conninfo, dir, incoming, polledFrom: 1, interval: "1h"), dir: dir, openFiles: 16_384)
        defer { second.stop() }
        let firstRunPolls =
            "select count(*) from jcm.batches where kind = 'poll' and url like 'http://127.0.0.1:\(server.port)/%'"
        #expect(
            eventually(600) {
                !second.process.isRunning
                    || count(firstRunPolls) == received1
                        && FileManager.default.fileExists(atPath: incoming + "/processed/big.csv")
            },
            "polls written \(count(firstRunPolls)) of \(received1)")
        second.stop()
        #expect(second.process.terminationStatus == 0)
        #expect(count("select count(*) from jcm.batches where kind = 'file'") == 1, "the file landed once")
        #expect(
            count("select count(*) from jcm.readings r join jcm.batches b on b.id = r.batch where b.kind = 'file'")
                == Self.fileRows)
        #expect(count(firstRunPolls) == received1, "no poll written twice")
    }

    /// `systemd/jcm-ingestd.service`'s TimeoutStopSec, the time the daemon has.
    static func timeoutStopSeconds() throws -> Double {
        let unit = try String(
            contentsOf: DemoDaemon.repo.appendingPathComponent("systemd/jcm-ingestd.service"), encoding: .utf8)
        let line = try #require(unit.split(separator: "\n").first { $0.hasPrefix("TimeoutStopSec=") })
        return try #require(Double(line.dropFirst("TimeoutStopSec=".count)))
    }

    static func config(
        _ conninfo: String, _ dir: TempDir, _ incoming: String, polledFrom port: UInt16, interval: String = "1s"
    ) -> String {
        var toml = """
            [database]
            url = "\(conninfo)"
            [daemon]
            state_dir = "\(dir.file("state"))"
            max_connections = 256
            max_connections_per_host = 64
            [[project]]
            id = "IN-JP-0001"
            methodology = "IN_AM001 ver01.0"
            [[watch]]
            dir = "\(incoming)"

            """
        for m in 1...100 {
            toml += """
                [[meter]]
                id = "R-\(m)"
                project = "IN-JP-0001"
                parameter = "EG_p"
                kind = "cumulative"
                unit = "kWh"

                """
        }
        for m in 1...meters {
            toml += """
                [[meter]]
                id = "SIM-\(m)"
                project = "IN-JP-0001"
                parameter = "EG_p"
                kind = "cumulative"
                unit = "kWh"
                url = "http://127.0.0.1:\(port)/meters/\(m)"
                interval = "\(interval)"
                json.value = "energy.total_wh"
                json.unit = "Wh"
                json.timestamp = "ts"

                """
        }
        return toml
    }

    /// `meters` meters × 10,000 quarter hours, one row each: 1,000,000 rows.
    static func writeReport(_ path: String, meters: Int) throws -> String {
        var text = "meter_id,timestamp,value,unit\n"
        text.reserveCapacity(50 * fileRows)
        let start = 1_767_225_600  // 2026-01-01T00:00:00Z
        let steps = fileRows / meters
        for s in 0..<steps {
            let ts = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(start + 900 * s)))
            for m in 1...meters { text += "R-\(m),\(ts),\(1_000 * m + s),kWh\n" }
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
