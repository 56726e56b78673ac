import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Testing

@testable import JCMDaemon

/// Gateways that answer with what no meter should: a body declared at 5 GB, one streamed in
/// chunks without end, and JSON that is not UTF-8. Each poll is refused with its reason, what
/// was received kept as far as PostgreSQL text allows, and memory never holds more than
/// max_response_bytes of a body.
@Suite("polls: oversized and malformed payloads", .serialized)
struct PayloadFaultTests {
    static let fiveGB: Int64 = 5_368_709_120

    @Test func aFiveGigabyteBodyIsCutAtTheCapAndRefusedInSeconds() throws {
        let declared = try StreamingServer(.declared(bytes: Self.fiveGB))
        let endless = try StreamingServer(.endlessChunks(chunk: 1_000))
        defer {
            declared.stop()
            endless.stop()
        }
        var text = PolledGateways.header()
        text += PolledGateways.meter("DECLARED-5GB", "http://127.0.0.1:\(declared.port)/", "max_response_bytes = 4096")
        text += PolledGateways.meter("ENDLESS", "http://127.0.0.1:\(endless.port)/", "max_response_bytes = 4096")
        let conninfo = try TestCluster.freshDatabase()
        let started = Date()
        let refused = PolledGateways.run(try Config.parse(text), conninfo) {
            try scalar(
                conninfo, "select count(distinct meter_id) from jcm.rejections where reason = 'payload_too_large'")
                == "2"
        }
        #expect(refused)
        #expect(Date().timeIntervalSince(started) < 15, "aborted at the cap, not read to the end")
        #expect(
            try rows(conninfo, "select distinct meter_id, reason, detail from jcm.rejections order by 1") == [
                ["DECLARED-5GB", "payload_too_large", "response larger than 4096 bytes (max_response_bytes)"],
                ["ENDLESS", "payload_too_large", "response larger than 4096 bytes (max_response_bytes)"],
            ])
        #expect(try scalar(conninfo, "select count(*) from jcm.readings") == "0")
        // What was kept of each body (its provenance in jcm.batches) is within the cap.
        let kept = try rows(
            conninfo, "select source, max(bytes)::text from jcm.batches where kind = 'poll' group by 1 order by 1")
        #expect(kept.count == 2)
        for row in kept { #expect(Int(row[1] ?? "") ?? .max <= 4_096, "\(row)") }
        #expect(
            try rows(conninfo, "select meter_id, last_error from jcm.meter_state order by 1") == [
                ["DECLARED-5GB", "response larger than 4096 bytes"], ["ENDLESS", "response larger than 4096 bytes"],
            ])
        // The declared body is refused on its Content-Length; the endless one a few chunks past
        // the cap. Socket buffers take a few MB at most before the hang-up is seen.
        #expect(declared.bodyBytesSent < 64 << 20, "\(declared.bodyBytesSent) bytes of the 5 GB body sent")
        #expect(endless.bodyBytesSent < 64 << 20, "\(endless.bodyBytesSent) bytes of the endless body sent")
    }

    /// The body's buffer itself: never longer, nor with more room, than the cap.
    @Test(arguments: [
        StreamingServer.Body.endlessChunks(chunk: 3_000), .endlessChunks(chunk: 16_384), .declared(bytes: 300_000),
    ])
    func theBodyBufferNeverGrowsPastTheCap(_ body: StreamingServer.Body) throws {
        let server = try StreamingServer(body)
        defer { server.stop() }
        let cap = 100_000
        let multi = try MultiHandle()
        let easy = try EasyHandle()
        try easy.prepare(
            url: "http://127.0.0.1:\(server.port)/", connectTimeoutMs: 2_000, timeoutMs: 10_000, maxBytes: cap)
        try easy.setRequestHeaders([])
        try multi.add(easy)
        var finished: [(EasyHandle, CurlError?)] = []
        var peak = 0
        let started = Date()
        while finished.isEmpty, Date().timeIntervalSince(started) < 10 {
            finished = multi.poll(timeoutMs: 100)
            peak = max(peak, easy.bodyCapacity)
        }
        let (_, error) = try #require(finished.first)
        #expect(easy.exceededCap || error?.isSizeCap == true, "cut off at the cap: \(String(describing: error))")
        #expect(easy.body.count <= cap)
        #expect(peak <= cap + 64, "the buffer held room for \(peak) bytes; the cap is \(cap)")
    }

    @Test func invalidUTF8IsRefusedAsAPayloadAndItsBytesKept() throws {
        let now = { Timestamp(date: Date()).description }
        // Latin-1 é inside a string, an overlong "/" (C0 AF), and a stray FF between tokens.
        let bodies: [String: [UInt8]] = [
            "/latin1": Array(#"{"ts": "\#(now())", "wh": 42, "site": "caf"#.utf8) + [0xE9] + Array(#""}"#.utf8),
            "/overlong": Array(#"{"ts": "\#(now())", "wh": 42, "path": "a"#.utf8) + [0xC0, 0xAF] + Array(#"b"}"#.utf8),
            "/stray": Array(#"{"ts": "\#(now())", "wh": 42"#.utf8) + [0xFF] + Array("}".utf8),
        ]
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            guard let body = bodies[request.path] else { return .text("not found", status: 404) }
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
        }
        server.start()
        defer { server.stop() }
        var text = PolledGateways.header()
        for path in bodies.keys.sorted() {
            text += PolledGateways.meter(
                "U8" + path.replacingOccurrences(of: "/", with: "-"), "http://127.0.0.1:\(server.port)\(path)")
        }
        let conninfo = try TestCluster.freshDatabase()
        #expect(
            PolledGateways.run(try Config.parse(text), conninfo) {
                try scalar(conninfo, "select count(distinct meter_id) from jcm.rejections") == "3"
            })
        #expect(try scalar(conninfo, "select count(*) from jcm.readings") == "0")
        let found = try rows(
            conninfo,
            "select distinct on (meter_id) meter_id, reason, detail, raw from jcm.rejections order by meter_id, id")
        #expect(found.map { $0[0] } == ["U8-latin1", "U8-overlong", "U8-stray"])
        for row in found {
            let body = try #require(bodies["/" + row[0]!.dropFirst(3)])
            #expect(row[1] == "payload_invalid", "\(row)")
            #expect(row[2]?.contains("response is not JSON") == true, "\(row)")
            // PostgreSQL text holds no malformed UTF-8: each bad sequence is kept as U+FFFD, every
            // other byte as sent.
            #expect(row[3] == String(decoding: body, as: UTF8.self), "\(row)")
            #expect(row[3]?.contains("\u{FFFD}") == true)
        }
        #expect(found[0][2]?.contains("invalid UTF-8") == true, "\(found[0])")
        #expect(found[1][2]?.contains("invalid UTF-8") == true, "\(found[1])")
        // The bytes as received are in the provenance: their digest and length, not the text's.
        let batches = try rows(
            conninfo, "select distinct source, sha256, bytes::text from jcm.batches where kind = 'poll' order by 1")
        for b in batches {
            let body = try #require(bodies["/" + b[0]!.dropFirst(3)])
            #expect(b[1] == SHA256Hasher.hex(of: body) && b[2] == String(body.count), "\(b)")
        }
    }
}
