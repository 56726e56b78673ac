import Foundation
import JCMCore
import JCMDaemon
import Testing

/// config/jcm-ingestd.toml is what a fresh install runs with (/etc/jcm-ingestd/config.toml):
/// the daemon starts, says nothing is configured, and records no project or meter.
@Suite("the shipped configuration")
struct ShippedConfigTests {
    @Test func aFreshInstallStartsIdleSaysSoAndWritesNoProject() throws {
        let file = DemoDaemon.repo.appendingPathComponent("config/jcm-ingestd.toml").path
        let conninfo = try TestCluster.freshDatabase()
        let state = TestCluster.scratch()
        // Only where it runs changes: the database and the state folder of this test.
        var text = try String(contentsOfFile: file, encoding: .utf8)
        for (from, to) in [
            ("url = \"\"", "url = \"\(conninfo)\""),
            ("state_dir = \"/var/lib/jcm-ingestd\"", "state_dir = \"\(state)\""),
            ("listen = \"127.0.0.1:9464\"", "listen = \"127.0.0.1:0\""),
        ] {
            #expect(text.contains(from))
            text = text.replacingOccurrences(of: from, with: to)
        }
        let config = try Config.parse(text, file: file)
        #expect(config.isEmpty)
        let logs = LogCapture()
        let running = DaemonTests.Running(Daemon(config: config, conninfo: conninfo, logger: logs.logger))
        defer { _ = running.stop() }
        #expect(eventually { logs.count("notice", Config.nothingConfiguredMessage) == 1 })
        #expect(
            Config.nothingConfiguredMessage
                == "nothing configured: no [[project]], [[meter]], [[watch]] or [[upload]]; edit the configuration, then reload"
        )
        #expect(running.stop())
        #expect(try scalar(conninfo, "select count(*) from jcm.projects") == "0")
        #expect(try scalar(conninfo, "select count(*) from jcm.meters") == "0")
        #expect(try scalar(conninfo, "select count(*) from jcm.batches where kind <> 'plan'") == "0")
        #expect(
            try scalar(
                conninfo, "select count(*) from jcm.plan_versions where jsonb_array_length(plan -> 'projects') > 0")
                == "0")
    }
}
