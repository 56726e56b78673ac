import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

/// A gateway that answers every request with HTTP 500 and echoes it back (its URL and every
/// header) must not get the daemon's credentials into the database, the spool or the log.
@Suite("secrets stay out of storage", .serialized)
struct SecretEchoTests {
    static let password = "pw-Echo-5521", token = "tok-Echo-7730", apiKey = "key-Echo-9914", queryKey = "qk-Echo-4471",
        userinfo = "ui-Echo-3318"

    @Test func anEchoingGatewayGetsNoSecretStored() throws {
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            var echo = "\(request.method) \(request.path)\(request.query.map { "?" + $0 } ?? "")\n"
            for h in request.headers { echo += "\(h.name): \(h.value)\n" }
            return .text("internal error; your request was:\n" + echo, status: 500)
        }
        server.start()
        defer { server.stop() }
        let dir = TempDir()
        let state = TestCluster.scratch()
        let base = "http://127.0.0.1:\(server.port)"
        var text = PolledGateways.header(stateDir: state)
        text += PolledGateways.meter(
            "BASIC", base + "/basic",
            "auth.type = \"basic\"\nauth.username = \"reader\"\nauth.secret_file = \"\(dir.write("pw", Self.password))\""
        )
        text += PolledGateways.meter(
            "BEARER", base + "/bearer", "auth.type = \"bearer\"\nauth.secret_file = \"\(dir.write("tok", Self.token))\""
        )
        text += PolledGateways.meter(
            "APIKEY", base + "/apikey",
            "auth.type = \"header\"\nauth.header = \"X-API-Key\"\nauth.secret_file = \"\(dir.write("key", Self.apiKey))\""
        )
        text += PolledGateways.meter("QUERY", base + "/query?format=json&api_key=\(Self.queryKey)")
        text += PolledGateways.meter("USERINFO", "http://reader:\(Self.userinfo)@127.0.0.1:\(server.port)/userinfo")
        let conninfo = try TestCluster.freshDatabase()
        let log = LogCapture()
        #expect(
            PolledGateways.run(try Config.parse(text), conninfo, logger: log.logger) {
                try scalar(conninfo, "select count(distinct meter_id) from jcm.rejections where reason = 'http_status'")
                    == "5"
            })
        let secrets = [
            Self.password, Self.token, Self.apiKey, Self.queryKey, Self.userinfo,
            Data("reader:\(Self.password)".utf8).base64EncodedString(),
        ]
        let raws = try rows(
            conninfo, "select meter_id, raw from jcm.rejections where reason = 'http_status' order by id")
        for meter in ["BASIC", "BEARER", "APIKEY", "QUERY", "USERINFO"] {
            let raw = try #require(raws.first { $0[0] == meter }?[1] ?? nil, "\(meter)")
            #expect(raw.contains("your request was") && raw.contains("***"), "\(meter): \(raw)")
            for s in secrets { #expect(!raw.contains(s), "\(meter) stored \(s): \(raw)") }
        }
        #expect(
            raws.contains { $0[0] == "QUERY" && $0[1]?.contains("format=json&api_key=***") == true },
            "what is not secret stays")
        let stored = try scalar(
            conninfo,
            """
            select count(*) from (select url as t from jcm.batches union all select raw from jcm.rejections union all select detail from jcm.rejections
                                  union all select last_error from jcm.meter_state) x where t like any($1::text[])
            """, ["{" + secrets.map { "\"%\($0)%\"" }.joined(separator: ",") + "}"])
        #expect(stored == "0")
        // The spool and everything else under state_dir.
        let files = FileManager.default.enumerator(atPath: state)?.compactMap { $0 as? String } ?? []
        #expect(files.contains { $0.hasPrefix("spool/") }, "\(files)")
        for file in files {
            guard let data = FileManager.default.contents(atPath: state + "/" + file) else { continue }
            for s in secrets { #expect(data.range(of: Data(s.utf8)) == nil, "\(file) holds \(s)") }
        }
        for s in secrets { #expect(log.count(s) == 0, "\(log.lines.filter { $0.contains(s) })") }
    }

    @Test func theRedactorReplacesEveryFormOfASecret() {
        var r = SecretRedactor(["abcd1234", "abcd1234XYZ", "a b/c+d"])
        r.add(user: "u", password: "pw12")
        r.add(secretsOf: "http://x:y-secret@h/p?format=json&api_key=K3y-value&n=42")
        #expect(r.redact("a=abcd1234XYZ b=abcd1234 c=a%20b%2Fc%2Bd") == "a=*** b=*** c=***")
        #expect(
            r.redact("Authorization: Basic " + Data("u:pw12".utf8).base64EncodedString()) == "Authorization: Basic ***")
        #expect(r.redact("?format=json&api_key=K3y-value&n=42 y-secret") == "?format=json&api_key=***&n=42 ***")
        #expect(SecretRedactor(["abc"]).redact("abc") == "abc", "too short to replace")
    }
}
