import Foundation
import JCMCore
import JCMDaemon
import Testing

/// Gateways that forbid, lose, empty or refuse a poll, and one that comes back: each poll is
/// kept as a rejection naming the status or the transport error, the meter is logged down once
/// and recovered once, and what the journal shows never holds a query-string key.
@Suite("polls: forbidden, missing, empty, refused, recovered", .serialized)
struct PollFailureTests {
    static let queryKey = "qk-5a6b7c"

    @Test func eachFailureKeepsItsReasonAndADownMeterIsLoggedOnceEachWay() throws {
        let flaky = Counter()
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            switch request.path {
            case "/forbidden": return .text("forbidden", status: 403)
            case "/empty": return HTTPResponse(status: 204)
            // Three failures take it down (at 0, 1 and 3 s on its backoff); the fourth poll answers.
            case "/flaky":
                let n = flaky.next()
                return n <= 3
                    ? .text("busy", status: 503) : .json(#"{"ts": "\#(Timestamp(date: Date()))", "wh": \#(1_000 + n)}"#)
            default: return .text("not found", status: 404)
            }
        }
        server.start()
        defer { server.stop() }
        let closed = try freePort()
        let base = "http://127.0.0.1:\(server.port)"
        var text = PolledGateways.header()
        text += PolledGateways.meter("FORBIDDEN", base + "/forbidden?api_key=\(Self.queryKey)")
        text += PolledGateways.meter("MISSING", base + "/gone")
        text += PolledGateways.meter("EMPTY", base + "/empty")
        text += PolledGateways.meter("REFUSED", "http://127.0.0.1:\(closed)/", "connect_timeout = \"2s\"")
        text += PolledGateways.meter("FLAKY", base + "/flaky")
        text += PolledGateways.meter("TLS-OFF", "https://127.0.0.1:\(closed)/", "tls.verify = false")
        let conninfo = try TestCluster.freshDatabase()
        let log = LogCapture()
        let failing = ["EMPTY", "FORBIDDEN", "MISSING", "REFUSED", "TLS-OFF"]
        let settled = PolledGateways.run(try Config.parse(text), conninfo, seconds: 30, logger: log.logger) {
            try scalar(conninfo, "select count(*) from jcm.readings_view where meter_id = 'FLAKY'") != "0"
                && scalar(conninfo, "select count(*) from jcm.meter_state where consecutive_failures >= 4")
                    == "\(failing.count)"
        }
        #expect(settled, "every failing meter failed four times and FLAKY came back")

        let detail = Dictionary(
            uniqueKeysWithValues: try rows(
                conninfo,
                """
                select distinct on (meter_id) meter_id, reason || ': ' || detail from jcm.rejections order by meter_id, id
                """
            ).map { ($0[0]!, $0[1] ?? "") })
        #expect(detail["FORBIDDEN"] == "http_status: HTTP status 403")
        #expect(detail["MISSING"] == "http_status: HTTP status 404")
        #expect(detail["EMPTY"] == "http_status: HTTP status 204")
        #expect(detail["FLAKY"] == "http_status: HTTP status 503")
        for meter in ["REFUSED", "TLS-OFF"] {
            let d = detail[meter] ?? ""
            #expect(d.hasPrefix("http_transport: ") && d.contains("\(closed)"), "\(meter): \(d)")
        }
        #expect(
            try rows(conninfo, "select meter_id from jcm.meter_state where down_since is not null order by 1")
                == failing.map { [$0] })

        // The journal: down once per meter however many polls fail, FLAKY back once, the
        // opted-out TLS warned at the start, and the key in a url never shown.
        for meter in failing + ["FLAKY"] {
            #expect(
                log.count("meter down", "meter.id=\(meter)") == 1,
                "\(meter): \(log.count("meter down", "meter.id=\(meter)")) down lines")
        }
        #expect(log.count("meter recovered", "meter.id=FLAKY") == 1)
        #expect(log.count("meter recovered") == 1)
        #expect(log.count("TLS verification is off", "meter.id=TLS-OFF") == 1)
        #expect(log.count("poll rejected", "meter.id=FORBIDDEN") >= 4)
        #expect(log.count(Self.queryKey) == 0, "\(log.lines.filter { $0.contains(Self.queryKey) })")
    }
}
