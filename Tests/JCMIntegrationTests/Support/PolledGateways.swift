import Foundation
import JCMCore
import JCMDaemon
import Logging
import Testing

/// Configurations and daemon runs of the polling tests: one project, meters polled every second.
enum PolledGateways {
    /// `[daemon]` with a fresh state folder and the `daemon` lines, and project P.
    static func header(stateDir: String = TestCluster.scratch(), daemon: String = "") -> String {
        "[daemon]\nstate_dir = \"\(stateDir)\"\n\(daemon)\n\n[[project]]\nid = \"P\"\nmethodology = \"M\"\n\n"
    }

    /// A meter of project P polled every second: by default a cumulative Wh meter, its value at
    /// `wh` and its time at `ts`; `payload` says how its response is read instead, and `extra`
    /// lines go into its table.
    static func meter(
        _ id: String, _ url: String, _ extra: String = "", kind: String = "cumulative", unit: String = "Wh",
        payload: String = "json.value = \"wh\"\njson.timestamp = \"ts\""
    ) -> String {
        """
        [[meter]]
        id = "\(id)"
        project = "P"
        parameter = "EG_p"
        kind = "\(kind)"
        unit = "\(unit)"
        url = "\(url)"
        interval = "1s"
        \(payload)
        \(extra)

        """
    }

    /// Runs a daemon until `done` holds (at most `seconds`), then stops it; false when `done` never held.
    @discardableResult
    static func run(
        _ config: Config, _ conninfo: String, seconds: Double = 20, logger: Logger = TestCluster.logger,
        until done: () throws -> Bool = { false }
    ) -> Bool {
        let daemon = Daemon(config: config, conninfo: conninfo, logger: logger)
        let finished = DispatchSemaphore(value: 0)
        Thread {
            do { try daemon.run() } catch { Issue.record("daemon: \(error)") }
            finished.signal()
        }.start()
        let reached = eventually(seconds, done)
        daemon.requestStop()
        #expect(finished.wait(timeout: .now() + 30) == .success, "the daemon stops within 30 s")
        return reached
    }
}
