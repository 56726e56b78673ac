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
        var full = 0, notModified = 0, busy = 0, conditionalAfterRestart = false
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
                    lock.withLock { busy += 1 }
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
        var text = "[daemon]\nstate_dir = \"\(stateDir)\"\n\n[[project]]\nid = \"P\"\nmethodology = \"M\"\n\n"
        for (id, path) in [("GW-ETAG", "etag"), ("GW-BUSY", "busy")] {
            text += """
                [[meter]]
                id = "\(id)"
                project = "P"
                parameter = "EG_p"
                kind = "cumulative"
                unit = "Wh"
                url = "http://127.0.0.1:\(port)/\(path)"
                interval = "1s"
                backoff_max = "20s"
                json.value = "wh"
                json.timestamp = "ts"

                """
        }
        return try Config.parse(text)
    }

    func run(_ config: Config, _ conninfo: String, seconds: Double) {
        let daemon = Daemon(config: config, conninfo: conninfo, logger: TestCluster.logger)
        let done = DispatchSemaphore(value: 0)
        Thread { try? daemon.run(); done.signal() }.start()
        Thread.sleep(forTimeInterval: seconds)
        daemon.requestStop()
        #expect(done.wait(timeout: .now() + 30) == .success)
    }

    @Test func validatorsRetryAfterAndStateSurviveARestart() throws {
        let gateway = try Gateway()
        defer { gateway.server.stop() }
        let conninfo = try TestCluster.freshDatabase()
        let state = TestCluster.scratch()
        let config = try Self.config(gateway.server.port, stateDir: state)

        run(config, conninfo, seconds: 6.5)
        let (full, notModified, busy) = gateway.counts()
        // One full answer, then 304s for every later poll of the 6 s.
        #expect(full == 1)
        #expect(notModified >= 4)
        // Polled every second it would have been hit 6 or 7 times; Retry-After: 3 allows 2 or 3.
        #expect(busy >= 2 && busy <= 3, "busy gateway hit \(busy) times")
        #expect(try scalar(conninfo, "select count(*) from jcm.readings_view where meter_id = 'GW-ETAG'") == "1")
        #expect(try scalar(conninfo, "select count(*) from jcm.rejections where meter_id = 'GW-ETAG'") == "0", "a 304 is not an error")

        let rows = try rows(conninfo, """
            select meter_id, last_status::text, consecutive_failures::text, (last_success_at is not null)::text,
                   (down_since is not null)::text, etag, last_error
            from jcm.meter_state order by meter_id
            """)
        #expect(rows[0] == ["GW-BUSY", "503", String(busy), "false", busy >= 3 ? "true" : "false", nil, "HTTP status 503"])
        #expect(rows[1] == ["GW-ETAG", "304", "0", "true", "false", #""v1""#, nil])

        // A restart sends the stored ETag with the very first poll: no full answer again.
        run(config, conninfo, seconds: 2.5)
        #expect(gateway.counts().0 == 1, "the first poll after the restart was conditional")
        #expect(try scalar(conninfo, "select consecutive_failures >= \(busy + 1) from jcm.meter_state where meter_id = 'GW-BUSY'") == "t",
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
        let text = """
            [daemon]
            state_dir = "\(TestCluster.scratch())"

            [[project]]
            id = "P"
            methodology = "M"

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
        let daemon = Daemon(config: try Config.parse(text), conninfo: conninfo, logger: TestCluster.logger)
        let done = DispatchSemaphore(value: 0)
        Thread { try? daemon.run(); done.signal() }.start()
        let landed = eventually(15) { try scalar(conninfo, "select count(distinct meter_id) from jcm.readings_view") == "2" }
        daemon.requestStop()
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(landed)
        #expect(try rows(conninfo, "select distinct meter_id, value::text, raw_value, raw_unit from jcm.readings_view order by 1")
                == [["PROM", "2.25", "2.25e3", "Wh"], ["SHELLY", "125.0005", "125000.5", "Wh"]])
    }
}
