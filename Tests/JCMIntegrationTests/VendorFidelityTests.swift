import Foundation
import JCMCore
import JCMCurl
import JCMDaemon
import Testing

/// Real vendor payloads, served as the devices serve them, polled through the daemon (libcurl,
/// spool, decoder, validator, COPY): what each gateway marks as incomplete or invalid is a
/// rejection that says why, never a stored reading.
@Suite("polls: vendor payloads as the devices serve them", .serialized)
struct VendorFidelityTests {
    /// One meter of the test, the response its gateway gives and how the meter reads it.
    struct Device {
        var id: String
        var response: @Sendable (HTTPRequest) -> HTTPResponse
        var lines: String
        var kind = "cumulative"
        var unit = "Wh"

        init(id: String, response: HTTPResponse, lines: String, kind: String = "cumulative", unit: String = "Wh") {
            self.init(id: id, lines: lines, kind: kind, unit: unit) { _ in response }
        }

        init(
            id: String, lines: String, kind: String = "cumulative", unit: String = "Wh",
            answer: @escaping @Sendable (HTTPRequest) -> HTTPResponse
        ) {
            self.id = id
            self.response = answer
            self.lines = lines
            self.kind = kind
            self.unit = unit
        }
    }

    /// Serves each device at `/ID`, runs the daemon until every meter has a reading or a
    /// rejection, and hands the database over.
    static func poll(_ devices: [Device], seconds: Double = 20) throws -> String {
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            devices.first { "/" + $0.id == request.path }?.response(request) ?? .text("not found", status: 404)
        }
        server.start()
        defer { server.stop() }
        let text =
            PolledGateways.header()
            + devices.map { d in
                PolledGateways.meter(
                    d.id, "http://127.0.0.1:\(server.port)/\(d.id)", "", kind: d.kind, unit: d.unit, payload: d.lines)
            }.joined()
        let conninfo = try TestCluster.freshDatabase()
        let landed = PolledGateways.run(try Config.parse(text), conninfo, seconds: seconds) {
            try scalar(
                conninfo,
                """
                select count(distinct m) from (select meter_id m from jcm.readings_view union all select meter_id from jcm.rejections) s
                """) == String(devices.count)
        }
        #expect(landed, "every meter was polled")
        return conninfo
    }

    static func rejections(_ conninfo: String, _ meter: String) throws -> [String] {
        try rows(conninfo, "select distinct reason || ': ' || detail from jcm.rejections where meter_id = $1", [meter])
            .map { $0[0] ?? "" }
    }

    static func readings(_ conninfo: String, _ meter: String) throws -> [String] {
        try rows(conninfo, "select distinct value::text from jcm.readings_view where meter_id = $1", [meter]).map {
            $0[0] ?? ""
        }
    }

    static let prometheus =
        "prometheus.metric = \"gw_energy_wh_total\"\nprometheus.labels = { ch = \"1\" }\nprometheus.unit = \"Wh\""

    @Test func aPrometheusExpositionCutOffMidValueIsRejectedWhole() throws {
        let whole = "gw_energy_wh_total{ch=\"0\"} 1500.5\ngw_energy_wh_total{ch=\"1\"} 98765.5\n"
        let conninfo = try Self.poll([
            Device(
                id: "PROM-CUT", response: .text(String(whole.dropLast(4))),
                lines: "format = \"prometheus\"\n" + Self.prometheus),
            Device(id: "PROM-WHOLE", response: .text(whole), lines: "format = \"prometheus\"\n" + Self.prometheus),
        ])
        #expect(try Self.readings(conninfo, "PROM-CUT") == [], "98765.5 cut to 9876 is never stored")
        #expect(
            try Self.rejections(conninfo, "PROM-CUT") == [
                #"payload_invalid: the exposition does not end with a line feed: its last line is cut off (gw_energy_wh_total{ch="1"} 9876)"#
            ])
        #expect(try Self.readings(conninfo, "PROM-WHOLE") == ["98765.5"])
    }

    /// Served as an exporter does: OpenMetrics to a client that asks for it, the text format otherwise.
    static func exporter(_ openMetrics: String) -> @Sendable (HTTPRequest) -> HTTPResponse {
        { request in
            guard request.header("Accept")?.hasPrefix("application/openmetrics-text;version=1.0.0") == true else {
                return .text("gw_energy_wh_total{ch=\"1\"} 1\n")
            }
            return .text(openMetrics, contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8")
        }
    }

    @Test func openMetricsIsAskedForAndReadByItsContentTypeAndWithoutEOFIsRejectedWhole() throws {
        // A time of now: a device time far from the poll's is not what this test is about.
        let now = Int64(Date().timeIntervalSince1970)
        let body = """
            # TYPE gw_energy_wh counter
            # UNIT gw_energy_wh watt_hours
            gw_energy_wh_total{ch="0"} 1500.5 \(now).250
            gw_energy_wh_total{ch="1"} 98765.5 \(now).250 # {trace_id="x"} 7
            gw_energy_wh_created{ch="1"} 1700000000
            # EOF

            """
        let lines = "format = \"prometheus\"\nprometheus.selector = 'gw_energy_wh{ch=\"1\"}'\n"
        let conninfo = try Self.poll([
            Device(id: "OM", lines: lines, unit: "kWh", answer: Self.exporter(body)),
            Device(
                id: "OM-NO-EOF", lines: lines, unit: "kWh",
                answer: Self.exporter(String(body.dropLast("# EOF\n".count)))),
        ])
        #expect(
            try rows(
                conninfo,
                "select distinct value::text, raw_value || ' ' || raw_unit, (ts = to_timestamp($1))::text from jcm.readings_view where meter_id = 'OM'",
                ["\(now).25"]) == [["98.7655", "98765.5 Wh", "true"]],
            "_total, # UNIT and the fractional time, in the meter's kWh")
        #expect(try Self.readings(conninfo, "OM-NO-EOF") == [])
        #expect(
            try Self.rejections(conninfo, "OM-NO-EOF") == [
                ##"payload_invalid: the OpenMetrics exposition does not end with "# EOF": it is cut off (last line: gw_energy_wh_created{ch="1"} 1700000000)"##
            ])
    }

    /// Each vendor's own mark of an invalid value, and Shelly Gen1's clock and watt-minutes.
    @Test func validityFlagsDeviceTimeAndWattMinutesThroughTheDaemon() throws {
        let started = Int64(Date().timeIntervalSince1970)
        let synced = started - 5
        let conninfo = try Self.poll([
            Device(
                id: "SHELLY-EM-INVALID",
                response: .json(
                    #"{"unixtime":0,"emeters":[{"is_valid":true,"total":5.3},{"is_valid":false,"total":0.0}]}"#),
                lines: "format = \"shelly-gen1\"\nchannel = 1", unit: "kWh"),
            Device(
                id: "SHELLY-EM-SYNCED",
                response: .json(#"{"unixtime":\#(synced),"emeters":[{"power":10.66,"is_valid":true,"total":5300}]}"#),
                lines: "format = \"shelly-gen1\"", unit: "kWh"),
            Device(
                id: "SHELLY-PLUG",
                response: .json(
                    """
                    {"unixtime":0,"relays":[{"ison":true}],"meters":[{"power":14.72,"is_valid":true,"timestamp":\(synced + 3600),"total":2840760}]}
                    """), lines: "format = \"shelly-gen1-meter\"", unit: "kWh"),
            Device(
                id: "OPENEMS-CHANNEL",
                response: .json(#"{"type":"LONG","accessMode":"RO","text":"","unit":"Wh_Σ","value":1284310}"#),
                lines: "format = \"openems-channel\"", unit: "kWh"),
            Device(
                id: "SHELLY-RPC",
                response: .json(#"{"id":1,"src":"shellypro3em-c8f09e8a1f84","result":{"id":0,"total_act":26289.57}}"#),
                lines: "format = \"shelly-gen2-emdata\"", unit: "kWh"),
            Device(
                id: "ENPHASE-DARK",
                response: .json(
                    """
                    {"production":[{"type":"inverters","activeCount":0,"readingTime":\(synced),"whLifetime":47023113},
                    {"type":"eim","activeCount":0,"measurementType":"production","readingTime":\(synced),"whLifetime":5}]}
                    """), lines: "format = \"enphase-production-json\""),
            Device(
                id: "FRONIUS-12",
                response: .json(
                    """
                    {"Body":{"Data":{"EnergyReal_WAC_Sum_Consumed":941840}},"Head":{"Status":{"Code":12,"Reason":"Device not available"},"Timestamp":"2019-06-13T14:52:10+02:00"}}
                    """), lines: "format = \"fronius-meter-consumed\""),
        ])
        #expect(try Self.readings(conninfo, "SHELLY-EM-INVALID") == [], "an invalid channel is never stored")
        #expect(
            try Self.rejections(conninfo, "SHELLY-EM-INVALID") == [
                "device_invalid: the device marks emeters.1 invalid (is_valid false): its total is not read"
            ])
        #expect(
            try rows(
                conninfo,
                "select distinct value::text, (ts = to_timestamp($1))::text from jcm.readings_view where meter_id = 'SHELLY-EM-SYNCED'",
                [String(synced)]) == [["5.3", "true"]], "the synced device's unixtime is the reading's time")
        // Watt-minutes, exactly: 2,840,760 Wmin is 47.346 kWh. unixtime 0: the poll's time, not
        // 1970 and not meters[].timestamp (local time, an hour off here).
        #expect(
            try rows(
                conninfo,
                """
                select distinct value::text, raw_value || ' ' || raw_unit, (ts >= to_timestamp($1))::text, status
                from jcm.readings_view where meter_id = 'SHELLY-PLUG'
                """, [String(started)]) == [["47.346", "2840760 Wmin", "true", "accepted"]])
        #expect(try Self.readings(conninfo, "SHELLY-RPC") == ["26.28957"])
        #expect(
            try rows(
                conninfo,
                "select distinct value::text, raw_value || ' ' || raw_unit from jcm.readings_view where meter_id = 'OPENEMS-CHANNEL'"
            )
                == [["1284.31", "1284310 Wh"]], "OpenEMS's Wh_Σ is Wh")
        #expect(try Self.readings(conninfo, "ENPHASE-DARK") == [])
        #expect(
            try Self.rejections(conninfo, "ENPHASE-DARK") == [
                #"device_invalid: the "inverters" element has activeCount 0: no microinverter is reporting, its whLifetime is not read"#
            ])
        #expect(
            try Self.rejections(conninfo, "FRONIUS-12") == [
                "payload_invalid: the Datamanager answered Head.Status.Code 12: Device not available"
            ])
    }

    /// What a JSON-RPC endpoint saw: method, Content-Type and body of each request.
    final class Seen: @unchecked Sendable {
        let lock = NSLock()
        var requests: [(method: String, path: String, contentType: String?, body: String)] = []
        func add(_ r: HTTPRequest) {
            lock.withLock {
                requests.append((r.method, r.path, r.header("Content-Type"), String(decoding: r.body, as: UTF8.self)))
            }
        }
        var all: [(method: String, path: String, contentType: String?, body: String)] { lock.withLock { requests } }
    }

    /// Shelly Gen2 RPC and OpenEMS's JSON-RPC history over POST, as the devices take them: a GET
    /// is refused (405), a POST answered with a JSON-RPC envelope; OpenEMS's periods take their
    /// times from the window the body asked for.
    @Test func jsonRPCOverPOSTIncludingAWindowedOpenEMSHistory() throws {
        let shelly = Seen()
        let openEMS = Seen()
        let now = Int64(Date().timeIntervalSince1970)
        let quarter = now / 900 * 900
        // Periods well over: the one in progress (and the one before) would be left for later.
        let starts = [quarter - 3_600, quarter - 2_700, quarter - 1_800].map {
            Timestamp(microseconds: $0 * 1_000_000).description
        }
        let today = String(Timestamp(microseconds: now * 1_000_000).description.prefix(10))
        let history =
            #"{"jsonrpc":"2.0","id":"1","method":"queryHistoricTimeseriesEnergyPerPeriod","params":{"timezone":"UTC","#
            + #""fromDate":"{start}","toDate":"{end}","channels":["_sum/ProductionActiveEnergy"],"resolution":{"value":15,"unit":"MINUTES"}}}"#
        let conninfo = try Self.poll([
            Device(
                id: "SHELLY-POST",
                lines: """
                    format = "shelly-gen2-emdata"
                    method = "POST"
                    body = '{"id":1,"method":"EMData.GetStatus","params":{"id":0}}'
                    """, unit: "kWh"
            ) { request in
                shelly.add(request)
                guard request.method == "POST" else { return .text("method not allowed", status: 405) }
                return .json(#"{"id":1,"src":"shellypro3em-c8f09e8a1f84","result":{"id":0,"total_act":26289.57}}"#)
            },
            Device(
                id: "OPENEMS",
                lines: """
                    format = "openems-energy-per-period"
                    method = "POST"
                    body = '\(history)'
                    """, kind: "interval"
            ) { request in
                openEMS.add(request)
                guard request.method == "POST" else { return .text("method not allowed", status: 405) }
                return .json(
                    #"{"jsonrpc":"2.0","id":"1","result":{"timestamps":["\#(starts[0])","\#(starts[1])","\#(starts[2])"],"#
                        + #""data":{"_sum/ProductionActiveEnergy":[812,null,301.5]}}}"#)
            },
        ])
        #expect(try Self.readings(conninfo, "SHELLY-POST") == ["26.28957"])
        let first = try #require(shelly.all.first)
        #expect(
            first.method == "POST" && first.contentType == "application/json"
                && first.body == #"{"id":1,"method":"EMData.GetStatus","params":{"id":0}}"#)
        let stored = try rows(
            conninfo,
            "select extract(epoch from ts)::bigint::text, value::text from jcm.readings_view where meter_id = 'OPENEMS' order by ts"
        )
        #expect(
            stored.map { [Timestamp(microseconds: (Int64($0[0] ?? "") ?? 0) * 1_000_000).description, $0[1] ?? ""] }
                == [[starts[0], "812"], [starts[2], "301.5"]], "each period at its start, the null one skipped")
        #expect(
            try scalar(conninfo, "select count(*) from jcm.rejections where meter_id in ('OPENEMS', 'SHELLY-POST')")
                == "0")
        let asked = try #require(openEMS.all.first)
        #expect(asked.method == "POST" && asked.contentType == "application/json")
        #expect(
            asked.body.contains(#""fromDate":"\#(today)","toDate":"\#(today)""#),
            "the window's dates in the body: \(asked.body)")
    }

    /// emoncms feed/list.json and Fronius Scope=System: one request per poll, whatever the
    /// number of meters reading it, each meter its own value.
    @Test func aMultiMeterSourceIsOneRequestForSeveralMeters() throws {
        let seen = Seen()
        let now = Int64(Date().timeIntervalSince1970)
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            seen.add(request)
            switch request.path {
            case "/feed/list.json":
                return .json(
                    #"[{"id":"1","name":"use","time":\#(now),"value":356},{"id":7,"name":"solar_kwh","time":\#(now),"value":1234.5}]"#
                )
            case "/solar_api/v1/GetMeterRealtimeData.cgi":
                return .json(
                    #"{"Body":{"Data":{"0":{"EnergyReal_WAC_Sum_Consumed":941840,"EnergyReal_WAC_Sum_Produced":4075753},"#
                        + #""1":{"EnergyReal_WAC_Sum_Consumed":12000}}},"Head":{"Status":{"Code":0},"Timestamp":"\#(Timestamp(microseconds: now * 1_000_000))"}}"#
                )
            default: return .text("not found", status: 404)
            }
        }
        server.start()
        defer { server.stop() }
        let base = "http://127.0.0.1:\(server.port)"
        let meters: [(String, String, String)] = [
            ("EMON-USE", "/feed/list.json?apikey=K", "format = \"emoncms-feed-list\"\nemoncms.feed = 1"),
            ("EMON-PV", "/feed/list.json?apikey=K", "format = \"emoncms-feed-list\"\nemoncms.feed = 7"),
            (
                "FRONIUS-IN-0", "/solar_api/v1/GetMeterRealtimeData.cgi?Scope=System",
                "format = \"fronius-meter-consumed\"\nchannel = 0"
            ),
            (
                "FRONIUS-OUT-0", "/solar_api/v1/GetMeterRealtimeData.cgi?Scope=System",
                "format = \"fronius-meter-produced\"\nchannel = 0"
            ),
            (
                "FRONIUS-IN-1", "/solar_api/v1/GetMeterRealtimeData.cgi?Scope=System",
                "format = \"fronius-meter-consumed\"\nchannel = 1"
            ),
        ]
        let text =
            PolledGateways.header()
            + meters.map { PolledGateways.meter($0.0, base + $0.1, "", unit: "kWh", payload: $0.2) }.joined()
        let conninfo = try TestCluster.freshDatabase()
        // Until every meter has had three polls written.
        let landed = PolledGateways.run(try Config.parse(text), conninfo, seconds: 20) {
            try scalar(
                conninfo,
                "select count(*) from (select source from jcm.batches where kind = 'poll' group by source having count(*) >= 3) s"
            ) == "5"
        }
        #expect(landed)
        #expect(
            try rows(conninfo, "select distinct meter_id, value::text from jcm.readings_view order by 1")
                == [
                    ["EMON-PV", "1234.5"], ["EMON-USE", "356"], ["FRONIUS-IN-0", "941.84"], ["FRONIUS-IN-1", "12"],
                    ["FRONIUS-OUT-0", "4075.753"],
                ])
        #expect(try scalar(conninfo, "select count(*) from jcm.rejections") == "0")
        // Each request fed every meter of its source: one batch per meter per request (a poll in
        // flight at the stop is abandoned, so at most one request more than batches).
        let batches = try rows(
            conninfo, "select source, count(*)::text from jcm.batches where kind = 'poll' group by source order by 1"
        )
        .reduce(into: [String: Int]()) { $0[$1[0] ?? ""] = Int($1[1] ?? "") }
        let paths = seen.all.map(\.path)
        for (path, group) in [
            ("/feed/list.json", ["EMON-USE", "EMON-PV"]),
            ("/solar_api/v1/GetMeterRealtimeData.cgi", ["FRONIUS-IN-0", "FRONIUS-OUT-0", "FRONIUS-IN-1"]),
        ] {
            let counts = group.map { batches[$0] ?? 0 }
            #expect(Set(counts).count == 1, "\(group): the same polls for each meter: \(counts)")
            let requests = paths.filter { $0 == path }.count
            #expect(
                requests >= counts[0] && requests <= counts[0] + 1,
                "\(path): \(requests) requests for \(counts[0]) polls of each of \(group.count) meters")
        }
    }

    /// One handle serves a POST meter and then a GET one (the poller's pool reuses handles): the
    /// GET is a GET again, without the body, and the POST sends its exact bytes each time.
    @Test func aReusedHandleSwitchesBetweenPOSTAndGET() throws {
        let seen = Seen()
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            seen.add(request)
            return .json("{}")
        }
        server.start()
        defer { server.stop() }
        let easy = try EasyHandle()
        let url = "http://127.0.0.1:\(server.port)/rpc"
        let body = #"{"id":1,"method":"Switch.GetStatus","params":{"id":0},"note":"é"}"#
        for post in [true, false, true, true, false] {
            let r = easy.fetch(
                url: url, meterID: "M", connectTimeoutMs: 2_000, timeoutMs: 5_000, maxBytes: 4_096,
                headers: post ? ["Content-Type: application/json", "Expect:"] : [], requestBody: post ? body : nil)
            #expect(r.failure == nil && r.status == 200)
        }
        #expect(seen.all.map(\.method) == ["POST", "GET", "POST", "POST", "GET"])
        #expect(
            seen.all.map(\.body) == [body, "", body, body, ""], "the body's UTF-8 bytes, exactly, and none with a GET")
    }
}
