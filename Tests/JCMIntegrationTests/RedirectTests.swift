import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

/// Redirects, followed by the poller hop by hop: within the meter's origin by default, anywhere
/// for `redirects = "any"` but without credentials, never for "none", and never more than five.
/// Two HTTPServers on loopback are two origins (their ports differ).
@Suite("polls: redirects", .serialized)
struct RedirectTests {
    static let token = "tok-redirect-1", apiKey = "key-redirect-2", leak = "leak-in-query-3"

    /// Remembers what each path was asked, and with which credentials.
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var hits: [String: Int] = [:]
        private var credentials: [String: Set<String>] = [:]

        func record(_ request: HTTPRequest) {
            lock.withLock {
                hits[request.path, default: 0] += 1
                let seen = [request.header("Authorization"), request.header("X-API-Key")].compactMap { $0 }
                credentials[request.path, default: []].formUnion(seen.isEmpty ? ["none"] : seen)
            }
        }
        func hits(_ path: String) -> Int { lock.withLock { hits[path, default: 0] } }
        func credentials(_ path: String) -> Set<String> { lock.withLock { credentials[path, default: []] } }
    }

    static func reading() -> HTTPResponse { .json(#"{"ts": "\#(Timestamp(date: Date()))", "wh": 42}"#) }

    static func redirect(_ location: String, status: Int = 302) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Location", location)])
    }

    @Test func followedWithinTheOriginRefusedElsewhereAndBoundedInALoop() throws {
        let log = Log()
        let portal = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            log.record(request)
            return request.path.hasPrefix("/reading") ? Self.reading() : .text("not found", status: 404)
        }
        portal.start()
        defer { portal.stop() }
        let gateway = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            log.record(request)
            switch request.path {
            case "/same": return Self.redirect("/v2/same", status: 301)
            case "/v2/same": return Self.redirect("http://\(request.header("Host") ?? "")/final", status: 307)
            case "/final":
                return request.header("Authorization") == "Bearer \(Self.token)"
                    ? Self.reading() : HTTPResponse(status: 401)
            case "/away": return Self.redirect("http://127.0.0.1:\(portal.port)/reading-away?token=\(Self.leak)")
            case "/loop": return Self.redirect("/loop")
            case "/portal-key":
                return Self.redirect("http://127.0.0.1:\(portal.port)/reading-key?sig=\(Self.leak)", status: 303)
            case "/portal-basic": return Self.redirect("http://127.0.0.1:\(portal.port)/reading-basic", status: 308)
            default: return .text("not found", status: 404)
            }
        }
        gateway.start()
        defer { gateway.stop() }
        let dir = TempDir()
        let tokenFile = dir.write("token", Self.token)
        let keyFile = dir.write("key", Self.apiKey)
        let passwordFile = dir.write("pw", "pw-redirect-4")
        let g = "http://127.0.0.1:\(gateway.port)"
        var text = PolledGateways.header()
        text += PolledGateways.meter("SAME", g + "/same", "auth.type = \"bearer\"\nauth.secret_file = \"\(tokenFile)\"")
        text += PolledGateways.meter("AWAY", g + "/away", "auth.type = \"bearer\"\nauth.secret_file = \"\(tokenFile)\"")
        text += PolledGateways.meter("LOOP", g + "/loop")
        text += PolledGateways.meter("NONE", g + "/same", "redirects = \"none\"")
        text += PolledGateways.meter(
            "ANY-KEY", g + "/portal-key",
            "redirects = \"any\"\nauth.type = \"header\"\nauth.header = \"X-API-Key\"\nauth.secret_file = \"\(keyFile)\""
        )
        text += PolledGateways.meter(
            "ANY-BASIC", g + "/portal-basic",
            "redirects = \"any\"\nauth.type = \"basic\"\nauth.username = \"u\"\nauth.secret_file = \"\(passwordFile)\"")
        let conninfo = try TestCluster.freshDatabase()
        #expect(
            PolledGateways.run(try Config.parse(text), conninfo) {
                try scalar(conninfo, "select count(distinct meter_id) from jcm.readings_view") == "3"
                    && scalar(conninfo, "select count(distinct meter_id) from jcm.rejections") == "3"
            })
        #expect(
            try rows(conninfo, "select distinct meter_id from jcm.readings_view order by 1") == [
                ["ANY-BASIC"], ["ANY-KEY"], ["SAME"],
            ])
        // Two hops within the origin, credentials kept: the last one checks them.
        #expect(log.credentials("/final") == ["Bearer \(Self.token)"])
        // Elsewhere, only with "any", and without the credentials the gateway was sent.
        #expect(log.credentials("/same").contains("Bearer \(Self.token)"))
        #expect(log.credentials("/portal-key") == [Self.apiKey])
        #expect(log.credentials("/reading-key") == ["none"])
        #expect(log.credentials("/portal-basic").first?.hasPrefix("Basic ") == true)
        #expect(log.credentials("/reading-basic") == ["none"])

        let refused = Dictionary(
            uniqueKeysWithValues: try rows(
                conninfo,
                """
                select distinct on (meter_id) meter_id, reason, detail from jcm.rejections order by meter_id, id
                """
            ).map { ($0[0]!, [$0[1], $0[2]]) })
        let portalOrigin = "http://127.0.0.1:\(portal.port)"
        let gatewayOrigin = "http://127.0.0.1:\(gateway.port)"
        #expect(
            refused["AWAY"] == [
                "http_transport",
                "redirect to \(portalOrigin) refused: not the meter's origin \(gatewayOrigin) (redirects = \"same-origin\")",
            ])
        #expect(log.hits("/reading-away") == 0, "nothing is sent to a refused origin")
        #expect(refused["LOOP"] == ["http_transport", "more than 5 redirects; the last to \(gatewayOrigin)"])
        #expect(refused["NONE"] == ["http_status", "HTTP status 301"])
        // One poll of the loop is the request and its five hops; a poll cut by the stop has fewer.
        let loopPolls = Int(try scalar(conninfo, "select count(*) from jcm.batches where source = 'LOOP'") ?? "0")!
        #expect(
            log.hits("/loop") >= 6 * loopPolls && log.hits("/loop") <= 6 * (loopPolls + 1),
            "\(log.hits("/loop")) requests for \(loopPolls) polls")
        #expect(
            try scalar(conninfo, "select last_error from jcm.meter_state where meter_id = 'AWAY'")?.contains(
                portalOrigin) == true)
        let leaks = try scalar(
            conninfo,
            """
            select count(*) from (select detail as t from jcm.rejections union all select raw from jcm.rejections
            union all select last_error from jcm.meter_state union all select url from jcm.batches) x
            where t like any(array['%\(Self.leak)%', '%\(Self.token)%', '%\(Self.apiKey)%'])
            """)
        #expect(leaks == "0", "no query of a redirect target and no credential is stored")
    }
}
