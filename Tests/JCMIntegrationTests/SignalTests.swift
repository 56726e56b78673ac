import Foundation
import Testing

/// The binary as systemd drives it: SIGHUP reloads (`systemctl reload`), SIGTERM stops, both
/// through the daemon's service group, with what systemd is told on its notify socket.
@Suite("signals")
struct SignalTests {
    @Test(.enabled(if: ChildDaemon.available))
    func sighupReloadsOrKeepsTheOldConfigurationAndSigtermStopsInOrder() throws {
        let conninfo = try TestCluster.freshDatabase()
        let dir = TempDir()
        for folder in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: dir.file(folder), withIntermediateDirectories: true)
        }
        let notify = try HaltLoudTests.NotifySocket(path: dir.file("notify.sock"))
        func config(_ folders: [String]) -> String {
            """
            [database]
            url = "\(conninfo)"
            [daemon]
            state_dir = "\(dir.file("state"))"
            [[project]]
            id = "IN-JP-0001"
            methodology = "IN_AM001 ver01.0"
            [[meter]]
            id = "R-1"
            project = "IN-JP-0001"
            parameter = "EG_p"
            kind = "cumulative"
            unit = "kWh"

            """ + folders.map { "[[watch]]\ndir = \"\(dir.file($0))\"\n" }.joined()
        }
        let daemon = try ChildDaemon(
            config: config(["a"]), dir: dir, environment: ["NOTIFY_SOCKET": notify.path])
        defer { daemon.stop() }
        func readings() -> Int { Int((try? scalar(conninfo, "select count(*) from jcm.readings")) ?? nil ?? "0") ?? 0 }
        #expect(eventually(60) { notify.drain().contains { $0.hasPrefix("READY=1") } }, "\(daemon.logText)")

        // A second folder, then SIGHUP: the new folder is watched, without a restart.
        _ = dir.write("daemon.toml", config(["a", "b"]))
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(eventually(30) { daemon.logText.contains("configuration reloaded") }, "\(daemon.logText)")
        #expect(eventually(10) { notify.drain().contains("RELOADING=1") })
        _ = dir.write("b/one.csv", "meter_id,timestamp,value,unit\nR-1,2026-11-01T10:00:00Z,100,kWh\n")
        #expect(eventually(60) { readings() == 1 }, "\(daemon.logText)")

        // A broken file, then SIGHUP: refused, the running configuration stays.
        _ = dir.write("daemon.toml", "[database\n")
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(eventually(30) { daemon.logText.contains("reload refused") }, "\(daemon.logText)")
        _ = dir.write("a/two.csv", "meter_id,timestamp,value,unit\nR-1,2026-11-01T11:00:00Z,150,kWh\n")
        #expect(eventually(60) { readings() == 2 }, "\(daemon.logText)")
        #expect(daemon.process.isRunning)

        daemon.stop()
        #expect(daemon.process.terminationStatus == 0, "\(daemon.logText.suffix(1_500))")
        #expect(notify.drain().contains { $0.contains("STOPPING=1") })
        let log = daemon.logText
        let stopping = try #require(log.range(of: "stopping: sources first"))
        let stopped = try #require(log.range(of: "stopped", range: stopping.upperBound..<log.endIndex))
        #expect(stopping.upperBound <= stopped.lowerBound)
    }
}
