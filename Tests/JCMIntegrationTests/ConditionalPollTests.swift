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
                    lock.withLock { busy += 1; busyAt.append(Date()) }
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
        try Config.parse(PolledGateways.header(stateDir: stateDir)
            + PolledGateways.meter("GW-ETAG", "http://127.0.0.1:\(port)/etag", "backoff_max = \"20s\"")
            + PolledGateways.meter("GW-BUSY", "http://127.0.0.1:\(port)/busy", "backoff_max = \"20s\""))
    }

    func run(_ config: Config, _ conninfo: String, seconds: Double) { PolledGateways.run(config, conninfo, seconds: seconds) }

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
        if at.count >= 2 { #expect(at[1].timeIntervalSince(at[0]) >= 2.9, "second hit \(at[1].timeIntervalSince(at[0])) s after the first") }
        #expect(try scalar(conninfo, "select count(*) from jcm.readings_view where meter_id = 'GW-ETAG'") == "1")
        #expect(try scalar(conninfo, "select count(*) from jcm.rejections where meter_id = 'GW-ETAG'") == "0", "a 304 is not an error")

        let rows = try rows(conninfo, """
            select meter_id, last_status::text, consecutive_failures::text, (last_success_at is not null)::text,
                   (down_since is not null)::text, etag, last_error
            from jcm.meter_state order by meter_id
            """)
        // A poll in flight at the stop is abandoned: the gateway counted it, the database did not.
        let failures = Int(rows[0][2] ?? "") ?? -1
        #expect(failures == busy || failures == busy - 1, "\(failures) failures stored, \(busy) hits")
        #expect(rows[0][0] == "GW-BUSY" && rows[0][1] == "503" && rows[0][3] == "false" && rows[0][5] == nil && rows[0][6] == "HTTP status 503")
        #expect(rows[0][4] == (failures >= 3 ? "true" : "false"))
        #expect(rows[1] == ["GW-ETAG", "304", "0", "true", "false", #""v1""#, nil])

        // A restart sends the stored ETag with the very first poll: no full answer again.
        run(config, conninfo, seconds: 2.5)
        #expect(gateway.counts().0 == 1, "the first poll after the restart was conditional")
        #expect(try scalar(conninfo, "select consecutive_failures > \(failures) from jcm.meter_state where meter_id = 'GW-BUSY'") == "t",
                "failures keep counting across the restart")
    }

    /// A Prometheus exposition and a Shelly Gen1 status, as the gateways serve them: one reading
    /// each, converted exactly.
    @Test func prometheusAndAGatewayProfileLandThroughTheDaemon() throws {
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            switch request.path {
            case "/metrics":
                return .text("# TYPE gw_energy_wh_total counter\ngw_energy_wh_total{ch=\"0\"} 1500.5\ngw_energy_wh_total{ch=\"1\"} 2.25e3\n")
            case "/status":
                return .json(#"{"time":"18:17","unixtime":0,"emeters":[{"power":1.0,"is_valid":true,"total":125000.5,"total_returned":0.0}]}"#)
            default: return .text("not found", status: 404)
            }
        }
        server.start()
        defer { server.stop() }
        let text = PolledGateways.header() + """
            [[meter]]
            id = "PROM"
            project = "P"
            parameter = "EG_p"
            kind = "cumulative"
            unit = "kWh"
            url = "http://127.0.0.1:\(server.port)/metrics"
            interval = "1s"
            format = "prometheus"
            prometheus.metric = "gw_energy_wh_total"
            prometheus.labels = { ch = "1" }
            prometheus.unit = "Wh"

            [[meter]]
            id = "SHELLY"
            project = "P"
            parameter = "EG_p"
            kind = "cumulative"
            unit = "kWh"
            url = "http://127.0.0.1:\(server.port)/status"
            interval = "1s"
            format = "shelly-gen1"
            """
        let conninfo = try TestCluster.freshDatabase()
        let landed = PolledGateways.run(try Config.parse(text), conninfo, seconds: 15) {
            try scalar(conninfo, "select count(distinct meter_id) from jcm.readings_view") == "2"
        }
        #expect(landed)
        #expect(try rows(conninfo, "select distinct meter_id, value::text, raw_value, raw_unit from jcm.readings_view order by 1")
                == [["PROM", "2.25", "2.25e3", "Wh"], ["SHELLY", "125.0005", "125000.5", "Wh"]])
    }
}
