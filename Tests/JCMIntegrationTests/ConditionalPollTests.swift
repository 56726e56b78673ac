import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

/// Polling as a gateway sees it: validators sent back (a 304 is no new data, not an error), a
/// failing gateway backed off and its Retry-After honoured, and each meter's state kept in
/// PostgreSQL across a restart.
@Suite("polls: conditional requests, backoff, meter state", .serialized)
struct ConditionalPollTests {
    final class Gateway: @unchecked Sendable {
        let lock = NSLock()
        var full = 0, notModified = 0, busy = 0
        var busyAt: [Date] = []
        var server: HTTPServer!

        init() throws {
            server = try HTTPServer(host: "127.0.0.1", port: 0) { [unowned self] request in
                let now = Timestamp(date: Date()).description
                switch request.path {
                case "/etag":
                    if request.header("If-None-Match") == #""v1""# {
                        lock.withLock { notModified += 1 }
                        return HTTPResponse(status: 304, headers: [("ETag", #""v1""#)])
                    }
                    lock.withLock { full += 1 }
                    var r = HTTPResponse.json(#"{"ts": "\#(now)", "wh": 1000}"#)
                    r.headers.append(("ETag", #""v1""#))
                    return r
                case "/busy":
                    lock.withLock {
                        busy += 1
                        busyAt.append(Date())
                    }
                    var r = HTTPResponse.json(#"{"error": "maintenance"}"#, status: 503)
                    r.headers.append(("Retry-After", "3"))
                    return r
                default: return .text("not found", status: 404)
                }
            }
            server.start()
        }
        func counts() -> (Int, Int, Int) { lock.withLock { (full, notModified, busy) } }
    }

    static func config(_ port: UInt16, stateDir: String) throws -> Config {
        try Config.parse(
            PolledGateways.header(stateDir: stateDir)
                + PolledGateways.meter("GW-ETAG", "http://127.0.0.1:\(port)/etag", "backoff_max = \"20s\"")
                + PolledGateways.meter("GW-BUSY", "http://127.0.0.1:\(port)/busy", "backoff_max = \"20s\""))
    }

    func run(_ config: Config, _ conninfo: String, seconds: Double) {
        PolledGateways.run(config, conninfo, seconds: seconds)
    }

    @Test func validatorsRetryAfterAndStateSurviveARestart() throws {
        let gateway = try Gateway()
        defer { gateway.server.stop() }
        let conninfo = try TestCluster.freshDatabase()
        let state = TestCluster.scratch()
        let config = try Self.config(gateway.server.port, stateDir: state)

        run(config, conninfo, seconds: 6.5)
        let (full, notModified, busy) = gateway.counts()
        // One full answer, then 304s for the later polls.
        #expect(full == 1)
        #expect(notModified >= 2)
        // Polled every second it would have been hit 6 or 7 times. Retry-After: 3 puts at least
        // 3 s between the first two hits (backoff alone would wait 1 s, then 2 s).
        #expect(busy >= 2 && busy <= 3, "busy gateway hit \(busy) times")
        let at = gateway.lock.withLock { gateway.busyAt }
        if at.count >= 2 {
            #expect(
                at[1].timeIntervalSince(at[0]) >= 2.9, "second hit \(at[1].timeIntervalSince(at[0])) s after the first")
        }
        #expect(try scalar(conninfo, "select count(*) from jcm.readings_view where meter_id = 'GW-ETAG'") == "1")
        #expect(
            try scalar(conninfo, "select count(*) from jcm.rejections where meter_id = 'GW-ETAG'") == "0",
            "a 304 is not an error")

        let rows = try rows(
            conninfo,
            """
            select meter_id, last_status::text, consecutive_failures::text, (last_success_at is not null)::text,
                   (down_since is not null)::text, etag, last_error
            from jcm.meter_state order by meter_id
            """)
        // A poll in flight at the stop is abandoned: the gateway counted it, the database did not.
        let failures = Int(rows[0][2] ?? "") ?? -1
        #expect(failures == busy || failures == busy - 1, "\(failures) failures stored, \(busy) hits")
        #expect(
            rows[0][0] == "GW-BUSY" && rows[0][1] == "503" && rows[0][3] == "false" && rows[0][5] == nil
                && rows[0][6] == "HTTP status 503")
        #expect(rows[0][4] == (failures >= 3 ? "true" : "false"))
        #expect(rows[1] == ["GW-ETAG", "304", "0", "true", "false", #""v1""#, nil])

        // A restart sends the stored ETag with the very first poll: no full answer again.
        run(config, conninfo, seconds: 2.5)
        #expect(gateway.counts().0 == 1, "the first poll after the restart was conditional")
        #expect(
            try scalar(
                conninfo, "select consecutive_failures > \(failures) from jcm.meter_state where meter_id = 'GW-BUSY'")
                == "t",
            "failures keep counting across the restart")
    }

    /// One meter per gateway profile, some series profiles, CSV and Prometheus (by labels and by a
    /// selector), each served the way its gateway answers: config, libcurl, spool, decoder,
    /// validator and COPY, one reading each, converted exactly into the meter's unit.
    struct Served {
        var id: String
        var format: String
        var body: String
        var value: String
        var raw: String
        var unit = "kWh"
        var kind = "cumulative"
        var lines = ""
    }

    static let served: [Served] = [
        .init(
            id: "PROM", format: "prometheus",
            body:
                "# TYPE gw_energy_wh_total counter\ngw_energy_wh_total{ch=\"0\"} 1500.5\ngw_energy_wh_total{ch=\"1\"} 2.25e3\n",
            value: "2.25", raw: "2.25e3 Wh",
            lines:
                "prometheus.metric = \"gw_energy_wh_total\"\nprometheus.labels = { ch = \"1\" }\nprometheus.unit = \"Wh\""
        ),
        .init(
            id: "PROM-SELECTOR", format: "prometheus",
            body: "gw_energy_wh_total{ch=\"0\"} 1500.5\ngw_energy_wh_total{ch=\"1\",site=\"north-2\"} 7e3\n",
            value: "7", raw: "7e3 Wh",
            lines: "prometheus.selector = 'gw_energy_wh_total{ch!=\"0\", site=~\"north-.*\"}'\nprometheus.unit = \"Wh\""
        ),
        .init(
            id: "SHELLY-GEN1", format: "shelly-gen1",
            body: #"{"unixtime":0,"emeters":[{"power":1.0,"is_valid":true,"total":125000.5}]}"#,
            value: "125.0005", raw: "125000.5 Wh"),
        .init(
            id: "SHELLY-SWITCH", format: "shelly-gen2-switch",
            body: #"{"id":0,"apower":25.7,"aenergy":{"total":913.252,"minute_ts":1782936360}}"#,
            value: "0.913252", raw: "913.252 Wh"),
        .init(
            id: "SHELLY-EMDATA", format: "shelly-gen2-emdata",
            body: #"{"id":0,"total_act":26289.57,"total_act_ret":131881.86}"#,
            value: "26.28957", raw: "26289.57 Wh"),
        .init(
            id: "SHELLY-EM1DATA", format: "shelly-gen2-em1data", body: #"{"id":1,"total_act_energy":6644.5}"#,
            value: "6.6445", raw: "6644.5 Wh"),
        .init(
            id: "SHELLY-EM", format: "shelly-gen2-em",
            body: #"{"id":0,"total_current":11.083,"total_act_power":715.5}"#,
            value: "0.7155", raw: "715.5 W", unit: "kW", kind: "instantaneous"),
        .init(
            id: "TASMOTA", format: "tasmota",
            body: #"{"StatusSNS":{"Time":"2020-06-29T22:22:24","ENERGY":{"Total":41.573,"Power":2}}}"#,
            value: "41.573", raw: "41.573 kWh", lines: "timezone = \"Europe/Berlin\""),
        .init(
            id: "FRONIUS-CONSUMED", format: "fronius-meter-consumed", body: Self.froniusMeter, value: "941.84",
            raw: "941840 Wh"),
        .init(
            id: "FRONIUS-PRODUCED", format: "fronius-meter-produced", body: Self.froniusMeter, value: "4075.753",
            raw: "4075753 Wh"),
        .init(
            id: "FRONIUS-INVERTER", format: "fronius-inverter",
            body:
                #"{"Body":{"Data":{"TOTAL_ENERGY":{"Unit":"Wh","Value":36742265}}},"Head":{"Timestamp":"2024-05-02T11:35:00+02:00"}}"#,
            value: "36742.265", raw: "36742265 Wh"),
        .init(
            id: "FRONIUS-POWERFLOW", format: "fronius-powerflow",
            body:
                #"{"Body":{"Data":{"Site":{"E_Total":28420510,"P_PV":2950}}},"Head":{"Timestamp":"2024-05-02T11:35:00+02:00"}}"#,
            value: "28420.51", raw: "28420510 Wh"),
        .init(
            id: "ENPHASE", format: "enphase-production",
            body: #"{"wattHoursToday":18320,"wattHoursLifetime":10324050,"wattsNow":2532}"#,
            value: "10324.05", raw: "10324050 Wh"),
        .init(
            id: "ENPHASE-JSON", format: "enphase-production-json",
            body: """
                {"production":[{"type":"inverters","activeCount":24,"readingTime":1672574917,"wNow":3215,"whLifetime":47023113},
                {"type":"eim","activeCount":1,"measurementType":"production","readingTime":1672575063,"wNow":3187.45,"whLifetime":46987653.121}]}
                """, value: "46987.653121", raw: "46987653.121 Wh"),
        .init(
            id: "EMONCMS", format: "emoncms", body: #"{"time":1764158400,"value":1234.5}"#, value: "1234.5",
            raw: "1234.5 "),
        .init(
            id: "ENPHASE-NET", format: "enphase-net-consumption",
            body: """
                {"production":[],"consumption":[{"type":"eim","activeCount":1,"measurementType":"net-consumption","readingTime":1672575063,"whLifetime":9011355.002}]}
                """, value: "9011.355002", raw: "9011355.002 Wh"),
        .init(
            id: "SOLAREDGE-OVERVIEW", format: "solaredge-overview",
            body: #"{"overview":{"lastUpdateTime":"2026-06-01 08:00:00","lifeTimeData":{"energy":761985.75}}}"#,
            value: "761.98575", raw: "761985.75 Wh", lines: "timezone = \"Europe/Berlin\""),
        .init(
            id: "CSV", format: "csv", body: "site,ts,energy\nA,2026-06-01T00:15:00Z,1500.5\n", value: "1.5005",
            raw: "1500.5 Wh",
            lines: "csv.value = \"energy\"\ncsv.timestamp = \"ts\"\ncsv.unit = \"Wh\""),
    ]

    static let froniusMeter =
        #"{"Body":{"Data":{"EnergyReal_WAC_Sum_Consumed":941840,"EnergyReal_WAC_Sum_Produced":4075753}},"Head":{"Timestamp":"2019-06-13T14:52:10+02:00"}}"#

    @Test func everyGatewayProfileLandsThroughTheDaemon() throws {
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            guard let s = Self.served.first(where: { "/" + $0.id == request.path }) else {
                return .text("not found", status: 404)
            }
            return s.format == "prometheus" || s.format == "csv" ? .text(s.body) : .json(s.body)
        }
        server.start()
        defer { server.stop() }
        let text =
            PolledGateways.header()
            + Self.served.map { s in
                PolledGateways.meter(
                    s.id, "http://127.0.0.1:\(server.port)/\(s.id)", s.lines, kind: s.kind, unit: s.unit,
                    payload: "format = \"\(s.format)\"")
            }.joined()
        let conninfo = try TestCluster.freshDatabase()
        let landed = PolledGateways.run(try Config.parse(text), conninfo, seconds: 20) {
            try scalar(conninfo, "select count(distinct meter_id) from jcm.readings_view") == String(Self.served.count)
        }
        #expect(landed)
        let stored = try rows(
            conninfo,
            "select distinct meter_id, value::text, raw_value || ' ' || raw_unit from jcm.readings_view order by 1")
        #expect(stored == Self.served.sorted { $0.id < $1.id }.map { [$0.id, $0.value, $0.raw] })
        #expect(try scalar(conninfo, "select count(*) from jcm.rejections") == "0")
    }
}
