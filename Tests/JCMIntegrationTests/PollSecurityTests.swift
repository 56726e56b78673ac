import Crypto
import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

/// Reaching gateways safely: TLS verified unless a meter opts out, the four kinds of credentials
/// (basic, digest, bearer token, API-key header) read from files and never stored, and a gateway
/// that trickles bytes cut off long before the timeout. Real servers on loopback: openssl
/// s_server for TLS, HTTPServer for the rest.
@Suite("polls: TLS, credentials, slow gateways", .serialized)
struct PollSecurityTests {
    static let user = "meter-reader", password = "s3cret-pw", token = "tok-9f8e7d", apiKey = "key-123abc"

    static func md5(_ s: String) -> String {
        Insecure.MD5.hash(data: Data(s.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The gateway's side of each scheme: 401 until the request carries the right credentials.
    static func gateway() throws -> HTTPServer {
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            let ok = HTTPResponse.json(#"{"ts": "\#(Timestamp(date: Date()))", "wh": 42}"#)
            let auth = request.header("Authorization")
            switch request.path {
            case "/basic":
                let expected = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
                return auth == expected
                    ? ok : HTTPResponse(status: 401, headers: [("WWW-Authenticate", #"Basic realm="gw""#)])
            case "/bearer": return auth == "Bearer \(token)" ? ok : HTTPResponse(status: 401)
            case "/apikey": return request.header("X-API-Key") == apiKey ? ok : HTTPResponse(status: 403)
            case "/digest":
                let challenge = HTTPResponse(
                    status: 401,
                    headers: [("WWW-Authenticate", #"Digest realm="gw", nonce="n0nce", qop="auth", algorithm=MD5"#)])
                guard let auth, auth.hasPrefix("Digest ") else { return challenge }
                var p: [String: String] = [:]
                for part in auth.dropFirst(7).split(separator: ",") {
                    let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    if kv.count == 2 { p[kv[0]] = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                }
                let ha1 = md5("\(user):gw:\(password)")
                let ha2 = md5("GET:\(p["uri"] ?? "")")
                let expected = md5("\(ha1):n0nce:\(p["nc"] ?? ""):\(p["cnonce"] ?? ""):auth:\(ha2)")
                return p["username"] == user && p["response"] == expected ? ok : challenge
            default: return .text("not found", status: 404)
            }
        }
        server.start()
        return server
    }

    static func meter(_ id: String, _ url: String, _ extra: String = "") -> String {
        PolledGateways.meter(id, url, "timeout = \"8s\"\n" + extra)
    }

    func run(_ text: String, _ conninfo: String, until done: () throws -> Bool) throws {
        #expect(PolledGateways.run(try Config.parse(text), conninfo, until: done))
    }

    @Test func everyKindOfCredentialIsSentAndNoneIsStored() throws {
        let server = try Self.gateway()
        defer { server.stop() }
        let dir = TempDir()
        let passwordFile = dir.write("pw", Self.password + "\n")
        let tokenFile = dir.write("token", Self.token + "\n")
        let keyFile = dir.write("key", Self.apiKey)
        let base = "http://127.0.0.1:\(server.port)"
        var text = PolledGateways.header()
        text += Self.meter(
            "BASIC", base + "/basic",
            "auth.type = \"basic\"\nauth.username = \"\(Self.user)\"\nauth.secret_file = \"\(passwordFile)\"")
        text += Self.meter(
            "DIGEST", base + "/digest",
            "auth.type = \"digest\"\nauth.username = \"\(Self.user)\"\nauth.secret_file = \"\(passwordFile)\"")
        text += Self.meter("BEARER", base + "/bearer", "auth.type = \"bearer\"\nauth.secret_file = \"\(tokenFile)\"")
        text += Self.meter(
            "APIKEY", base + "/apikey",
            "auth.type = \"header\"\nauth.header = \"X-API-Key\"\nauth.secret_file = \"\(keyFile)\"")
        text += Self.meter("NOAUTH", base + "/bearer")
        let conninfo = try TestCluster.freshDatabase()
        let log = LogCapture()
        #expect(
            PolledGateways.run(try Config.parse(text), conninfo, logger: log.logger) {
                try scalar(conninfo, "select count(distinct meter_id) from jcm.readings_view") == "4"
                    && scalar(conninfo, "select count(*) from jcm.rejections where meter_id = 'NOAUTH'") != "0"
            })
        // Debug lines included: no secret reaches the journal.
        #expect(log.count("meter.id=NOAUTH") > 0)
        for secret in [Self.password, Self.token, Self.apiKey] {
            #expect(log.count(secret) == 0, "\(log.lines.filter { $0.contains(secret) })")
        }
        #expect(
            try rows(conninfo, "select distinct meter_id from jcm.readings_view order by 1") == [
                ["APIKEY"], ["BASIC"], ["BEARER"], ["DIGEST"],
            ])
        #expect(
            try scalar(conninfo, "select distinct detail from jcm.rejections where meter_id = 'NOAUTH'")
                == "HTTP status 401")
        let leaks = try scalar(
            conninfo,
            """
            select count(*) from (select url as t from jcm.batches union all select url from jcm.meters union all select detail from jcm.rejections
            union all select raw from jcm.rejections union all select last_error from jcm.meter_state union all select plan::text from jcm.plan_versions) x
            where t like any(array['%\(Self.password)%', '%\(Self.token)%', '%\(Self.apiKey)%'])
            """)
        #expect(leaks == "0")
    }

    @Test func aSecretFileThatCannotBeReadStopsTheStartNamingMeterAndFile() throws {
        var text = PolledGateways.header()
        text += Self.meter(
            "BEARER", "http://127.0.0.1:9/x", "auth.type = \"bearer\"\nauth.secret_file = \"/nonexistent/token\"")
        let daemon = Daemon(
            config: try Config.parse(text), conninfo: try TestCluster.freshDatabase(), logger: TestCluster.logger)
        #expect { try daemon.run() } throws: {
            "\($0)".contains("meter BEARER: cannot read secret_file /nonexistent/token")
        }
    }

    @Test func tlsIsVerifiedUnlessTheMeterTrustsItsCAOrOptsOut() throws {
        let dir = TempDir()
        let cert = dir.file("gw.pem")
        let key = dir.file("gw.key")
        try #require(makeCertificate(cert, key: key), "openssl could not make a certificate")
        let (tls, port) = try Self.sServer(cert: cert, key: key)
        defer {
            kill(tls.processIdentifier, SIGKILL)
            tls.waitUntilExit()
        }

        let url = "https://127.0.0.1:\(port)/"
        var text = PolledGateways.header()
        text += Self.meter("TLS-UNKNOWN-CA", url)
        text += Self.meter("TLS-OWN-CA", url, "tls.ca_file = \"\(cert)\"")
        text += Self.meter("TLS-OPT-OUT", url, "tls.verify = false")
        let conninfo = try TestCluster.freshDatabase()
        try run(text, conninfo) { try scalar(conninfo, "select count(distinct meter_id) from jcm.rejections") == "3" }
        let got = try Self.firstRejections(conninfo)
        // Refused at the handshake: the certificate is signed by nobody the system trusts.
        #expect(got["TLS-UNKNOWN-CA"]?[1] == "http_transport")
        #expect(
            got["TLS-UNKNOWN-CA"]?[2]?.lowercased().contains("certificate") == true,
            "\(got["TLS-UNKNOWN-CA"]?[2] ?? "")")
        // Through TLS: s_server's HTML status page is then refused as a payload, not a transport error.
        #expect(got["TLS-OWN-CA"]?[1] == "payload_invalid")
        #expect(got["TLS-OPT-OUT"]?[1] == "payload_invalid")
    }

    /// A gateway that asks for a client certificate (s_server -Verify): the meter with
    /// tls.client_cert and tls.client_key gets through, the one without is refused at TLS.
    @Test func aClientCertificateIsPresentedWhenConfigured() throws {
        let dir = TempDir()
        let cert = dir.file("gw.pem")
        let key = dir.file("gw.key")
        let clientCert = dir.file("client.pem")
        let clientKey = dir.file("client.key")
        try #require(
            makeCertificate(cert, key: key) && makeCertificate(clientCert, key: clientKey, commonName: "meter-reader"),
            "openssl could not make a certificate")
        let (tls, port) = try Self.sServer(cert: cert, key: key, ["-Verify", "1", "-CAfile", clientCert])
        defer {
            kill(tls.processIdentifier, SIGKILL)
            tls.waitUntilExit()
        }

        let url = "https://127.0.0.1:\(port)/"
        var text = PolledGateways.header()
        text += Self.meter(
            "MTLS-CERT", url,
            "tls.ca_file = \"\(cert)\"\ntls.client_cert = \"\(clientCert)\"\ntls.client_key = \"\(clientKey)\"")
        text += Self.meter("MTLS-NONE", url, "tls.ca_file = \"\(cert)\"")
        let conninfo = try TestCluster.freshDatabase()
        try run(text, conninfo) { try scalar(conninfo, "select count(distinct meter_id) from jcm.rejections") == "2" }
        let got = try Self.firstRejections(conninfo)
        // Through TLS: s_server's HTML status page is refused as a payload, not at the handshake.
        #expect(got["MTLS-CERT"]?[1] == "payload_invalid", "\(got["MTLS-CERT"] ?? [])")
        #expect(got["MTLS-NONE"]?[1] == "http_transport", "\(got["MTLS-NONE"] ?? [])")
    }

    /// openssl s_server with `cert` on a free loopback port, answering its HTML status page;
    /// the caller kills it (SIGKILL: a child inherits the signals blocked in the test process,
    /// SIGTERM among them).
    static func sServer(cert: String, key: String, _ extra: [String] = []) throws -> (Process, UInt16) {
        let port = try freePort()
        let tls = Process()
        tls.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        tls.arguments =
            ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key] + extra + ["-www", "-quiet"]
        tls.standardOutput = FileHandle.nullDevice
        tls.standardError = FileHandle.nullDevice
        try tls.run()
        #expect(eventually(10) { canConnect(port) })
        return (tls, port)
    }

    /// Each meter's first rejection: meter_id, reason, detail.
    static func firstRejections(_ conninfo: String) throws -> [String: [String?]] {
        Dictionary(
            uniqueKeysWithValues: try rows(
                conninfo,
                "select distinct on (meter_id) meter_id, reason, detail from jcm.rejections order by meter_id, id"
            ).map { ($0[0]!, $0) })
    }

    @Test func aGatewayThatTricklesBytesIsCutOffLongBeforeTheTimeout() throws {
        let trickle = try TrickleServer()
        defer { trickle.stop() }
        var text = PolledGateways.header()
        text += PolledGateways.meter(
            "SLOW", "http://127.0.0.1:\(trickle.port)/",
            "low_speed_limit = 100\nlow_speed_time = \"2s\"\ntimeout = \"60s\"")
        let conninfo = try TestCluster.freshDatabase()
        let started = Date()
        try run(text, conninfo) {
            try scalar(conninfo, "select count(*) from jcm.rejections where meter_id = 'SLOW'") != "0"
        }
        #expect(Date().timeIntervalSince(started) < 15, "cut off by the low-speed limit, not the 60 s timeout")
        let detail = try scalar(conninfo, "select detail from jcm.rejections where meter_id = 'SLOW' limit 1") ?? ""
        #expect(detail.contains("too slow") || detail.contains("Timeout"), "\(detail)")
    }
}
