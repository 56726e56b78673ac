import Foundation
import JCMCore
import JCMCurl
import JCMDaemon
import JCMPostgres
import Testing

/// `jcm-ingestd status`, jcm.meter_status and the per-meter gauges, on config/demo.toml as
/// shipped (DemoDaemon).
@Suite("status")
struct StatusTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func statusOfTheDemoNamesEveryMeterItsStateAndTheChains() throws {
        let demo = try DemoDaemon()
        defer { demo.stop() }
        let (conninfo, path, metricsPort) = (demo.conninfo, demo.configPath, demo.metricsPort)

        let table = try CommandLineTests.run(["status", "--config", path])
        #expect(table.status == 0, "\(table.err)")
        let lines = table.out.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("status at ") == true)
        #expect(
            lines.contains {
                $0.hasPrefix("METER ") && $0.contains("STATE") && $0.contains("LAST READING (UTC)")
                    && $0.contains("CALIBRATED UNTIL")
            })
        func row(_ meter: String) -> String { lines.first { $0.hasPrefix(meter + " ") } ?? "" }
        #expect(row("IN-JP-0001-PV-M1").contains(" up "), "\(table.out)")
        #expect(row("IN-JP-0001-PV-M1").contains(" kWh "))
        #expect(row("IN-JP-0001-PV-M1").hasSuffix("2027-03-20 00:00:00Z"))
        #expect(row("IN-JP-0002-CH-M1").contains(" down since 20"), "\(table.out)")
        #expect(
            row("IN-JP-0001-PV-LOGGER").contains(" report-fed ") && row("IN-JP-0001-PV-LOGGER").contains("2026-10-15 "))
        #expect(
            row("IN-JP-0001-PV-M2").contains(" up ")
                && row("IN-JP-0001-PV-M2").hasSuffix("2025-06-01 00:00:00Z (lapsed)"))
        #expect(
            table.out.contains("\nspool: ") && table.out.contains("(daemon at 127.0.0.1:\(metricsPort))"),
            "\(table.out)")
        #expect(table.out.contains("\nchain IN-JP-0001: head link #"))
        #expect(table.out.contains("\nchain IN-JP-0002: head link #"))
        #expect(table.out.contains("\nlast checkpoint: "))

        let json = try CommandLineTests.run(["status", "--config", path, "--json"])
        #expect(json.status == 0, "\(json.err)")
        let doc = try JSON.parse(json.out)
        guard case .array(let meters)? = doc.value(at: "meters") else {
            Issue.record("no meters: \(json.out)")
            return
        }
        #expect(meters.count == 5)
        let chiller = meters.first { $0.value(at: "meter_id") == .string("IN-JP-0002-CH-M1") }
        #expect(chiller?.value(at: "state") == .string("down"))
        #expect(chiller?.value(at: "polled") == .bool(true))
        #expect(chiller?.value(at: "down_since")?.stringValue != nil)
        let m1 = meters.first { $0.value(at: "meter_id") == .string("IN-JP-0001-PV-M1") }
        #expect(m1?.value(at: "last_value")?.numberLiteral != nil)
        #expect(m1?.value(at: "calibration_valid_until") == .string("2027-03-20T00:00:00Z"))
        #expect(m1?.value(at: "completeness_today")?.numberLiteral != nil)
        #expect(m1?.value(at: "period_from") == .string("2025-03-31T18:30:00Z"))
        #expect(doc.value(at: "daemon.answered") == .bool(true))
        #expect(doc.value(at: "spool.pending_bytes")?.numberLiteral != nil)
        guard case .array(let chains)? = doc.value(at: "chains") else {
            Issue.record("no chains")
            return
        }
        #expect(chains.count == 3, "the two projects', and '' (the plan version's)")

        // The same meters, from the daemon's /metrics (gauges print as Doubles: `1.0`).
        let scraped = try httpGet(port: metricsPort, path: "/metrics")
        #expect(scraped.contains("\njcm_meter_up{meter=\"IN-JP-0002-CH-M1\"} 0.0\n"), "\(scraped)")
        #expect(scraped.contains("\njcm_meter_up{meter=\"IN-JP-0001-PV-M1\"} 1.0\n"))
        #expect(!scraped.contains("jcm_meter_up{meter=\"IN-JP-0001-PV-LOGGER\"}"))
        #expect(
            scraped.contains("\njcm_meter_calibration_valid_until_seconds{meter=\"IN-JP-0001-PV-M1\"} 1805500800.0\n"))
        let logger = scraped.split(separator: "\n").first {
            $0.hasPrefix("jcm_meter_last_reading_timestamp_seconds{meter=\"IN-JP-0001-PV-LOGGER\"} ")
        }
        let newest = try scalar(
            conninfo,
            "select extract(epoch from last_reading_at)::bigint from jcm.meter_status where meter_id = 'IN-JP-0001-PV-LOGGER'"
        )
        #expect(
            logger.map(String.init)
                == "jcm_meter_last_reading_timestamp_seconds{meter=\"IN-JP-0001-PV-LOGGER\"} \(newest ?? "?").0",
            "\(scraped)")
        #expect(scraped.contains("jcm_meter_last_reading_timestamp_seconds{meter=\"IN-JP-0001-PV-M1\"} "))
        #expect(scraped.contains("\njcm_meter_expected_interval_seconds{meter=\"IN-JP-0001-PV-M1\"} 1.0\n"))
        #expect(scraped.contains("\njcm_meter_expected_interval_seconds{meter=\"IN-JP-0001-PV-LOGGER\"} 900.0\n"))
        let stored = scraped.split(separator: "\n").first {
            $0.hasPrefix("jcm_meter_readings_total{meter=\"IN-JP-0001-PV-M1\"} ")
        }
        #expect(stored.flatMap { Int($0.split(separator: " ")[1]) }.map { $0 > 0 } == true, "\(scraped)")
        #expect(scraped.contains("\njcm_meter_readings_total{meter=\"IN-JP-0002-CH-M1\"} 0\n"))
        #expect(demo.stop())

        // Stopped: the status still comes, and says the daemon did not answer.
        let after = try CommandLineTests.run(["status", "--config", path])
        #expect(after.status == 0, "\(after.err)")
        #expect(after.out.contains("the daemon at 127.0.0.1:\(metricsPort) did not answer"), "\(after.out)")
    }

    @Test func meterStatusOfAFreshDatabaseListsMetersWithNoData() throws {
        let (conninfo, _) = try TestCluster.context(try Fixtures.config())
        let status = try rows(
            conninfo,
            "select meter_id, state, last_reading_at, completeness_today from jcm.meter_status order by meter_id")
        #expect(!status.isEmpty)
        #expect(status.allSatisfy { $0[2] == nil })
        #expect(
            try scalar(conninfo, "select count(*) from jcm.chain_heads where project <> ''") == "0",
            "no project's chain yet (the chain '' holds the plan version)")
    }
}

/// One GET on loopback with libcurl, the body as text.
func httpGet(port: UInt16, path: String) throws -> String {
    let r = try EasyHandle().fetch(
        url: "http://127.0.0.1:\(port)\(path)", meterID: "", connectTimeoutMs: 5_000, timeoutMs: 10_000,
        maxBytes: 1 << 24)
    return String(decoding: r.body, as: UTF8.self)
}
