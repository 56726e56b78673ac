import Foundation
import JCMCore
import JCMDaemon
import Testing

/// config/demo.toml as shipped (its projects, meters, plan and folder) run by the daemon against
/// a test database, a private state folder and a simulator on a free port; the chiller's gateway
/// is a port where nothing answers, so it goes down. Polls every second; docs/examples/report.csv
/// is dropped in the watched folder. `start()` returns once every kind of data is there.
final class DemoDaemon {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    let dir = TempDir()
    let conninfo: String
    let metricsPort: UInt16
    let configPath: String
    private let server: BackgroundServer
    private let running: DaemonTests.Running

    init() throws {
        let simulator = MeterSimulator(
            meters: 4, startedAt: Date().timeIntervalSince1970 - 3_600, now: { Date().timeIntervalSince1970 })
        // The simulator as `jcm-ingestd simulate` serves it (Hummingbird).
        server = try BackgroundServer("the simulator") { onRunning in
            SimulatorServer(
                simulator: simulator, host: "127.0.0.1", port: 0, onRunning: onRunning
            )
        }
        conninfo = try TestCluster.freshDatabase()
        metricsPort = try freePort()
        configPath = try Self.demoConfig(
            in: dir, conninfo: conninfo, simulator: server.port, dead: try freePort(), metrics: metricsPort)
        let config = try Config.parse(String(contentsOfFile: configPath, encoding: .utf8), file: configPath)
        try FileManager.default.createDirectory(atPath: dir.file("incoming"), withIntermediateDirectories: true)
        running = DaemonTests.Running(Daemon(config: config, conninfo: conninfo, logger: TestCluster.logger))
        try FileManager.default.copyItem(
            atPath: Self.repo.appendingPathComponent("docs/examples/report.csv").path,
            toPath: dir.file("incoming/report.csv"))
        let ready = eventually(30) {
            try scalar(conninfo, "select count(*) from jcm.meter_status where state = 'up'") == "3"
                && scalar(conninfo, "select state from jcm.meter_status where meter_id = 'IN-JP-0002-CH-M1'") == "down"
                && scalar(
                    conninfo,
                    "select count(*) from jcm.meter_status where meter_id = 'IN-JP-0001-PV-LOGGER' and last_reading_at is not null"
                ) == "1"
                && scalar(
                    conninfo,
                    "select count(*) from jcm.interval_values where meter_id = 'IN-JP-0001-PV-M1' and delta is not null"
                ) != "0"
        }
        #expect(ready, "the demo's data did not all arrive")
    }

    /// Stops the daemon (true when it stopped in time) and the simulator.
    @discardableResult
    func stop() -> Bool {
        let stopped = running.stop()
        if !serverStopped { server.stop() }
        serverStopped = true
        return stopped
    }
    private var serverStopped = false

    deinit { stop() }

    /// demo.toml with only what a test must change: database, state folder, ports, and 1 s polls.
    static func demoConfig(in dir: TempDir, conninfo: String, simulator: UInt16, dead: UInt16, metrics: UInt16) throws
        -> String
    {
        var text = try String(contentsOf: repo.appendingPathComponent("config/demo.toml"), encoding: .utf8)
        for (from, to) in [
            ("url = \"\"", "url = \"\(conninfo)\""),
            ("state_dir = \"../.state\"", "state_dir = \"\(dir.file("state"))\""),
            ("dir = \"../.state/incoming\"", "dir = \"\(dir.file("incoming"))\""),
            ("127.0.0.1:9464", "127.0.0.1:\(metrics)"), ("127.0.0.1:9100/meters/3", "127.0.0.1:\(dead)/meters/3"),
            ("127.0.0.1:9100", "127.0.0.1:\(simulator)"), ("interval = \"5s\"", "interval = \"1s\""),
            ("interval = \"10s\"", "interval = \"1s\""),
        ] {
            #expect(text.contains(from), "demo.toml no longer has \(from)")
            text = text.replacingOccurrences(of: from, with: to)
        }
        try FileManager.default.createSymbolicLink(
            atPath: dir.file("methodologies"),
            withDestinationPath: repo.appendingPathComponent("config/methodologies").path)
        return dir.write("demo.toml", text)
    }
}
