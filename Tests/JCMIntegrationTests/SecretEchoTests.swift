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

    /// Upload sources: an HTTP listing with a bearer token whose file echoes the request as rows,
    /// and an S3 bucket whose listing answers 500 with the signed request echoed. Neither the
    /// token nor the S3 keys reach jcm.rejections, errors.json or the log.
    @Test func anEchoingUploadServerGetsNoSecretStored() throws {
        let uploadToken = "tok-Upload-6120"
        let accessKey = "AKIDECHO5518"
        let secretKey = "sk-Echo-2290-secret"
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            // The Authorization header first: a listing error keeps only the start of the body.
            let headers = request.headers.sorted { a, _ in a.name == "authorization" }
            let echo =
                "\(request.method) \(request.path)\(request.query.map { "?" + $0 } ?? "")\n"
                + headers.map { "\($0.name): \($0.value)\n" }.joined()
            switch request.path {
            case "/up/":
                return .json(#"[{"name": "echo.csv", "type": "file", "mtime": "Sun, 06 Dec 2026 10:00:00 GMT"}]"#)
            case "/up/echo.csv":
                // Each header as a row: once a value no number reads, once a line of its own.
                let rows = headers.map { "PV-1,2026-11-01T00:00:00Z,\($0.value),kWh\n\($0.name): \($0.value)\n" }
                return .text("meter_id,timestamp,value,unit\n" + rows.joined(), contentType: "text/csv")
            default: return .text("internal error; your request was:\n" + echo, status: 500)
            }
        }
        server.start()
        defer { server.stop() }
        let secretsDir = TempDir()
        let state = TestCluster.scratch()
        let base = "http://127.0.0.1:\(server.port)"
        let config = try UploadTests.config(
            stateDir: state,
            uploads: UploadTests.upload(
                "http", "\(base)/up/", "nginx-json",
                "auth = { type = \"bearer\", secret_file = \"\(secretsDir.write("tok", uploadToken))\" }")
                + UploadTests.upload(
                    "bucket", "\(base)/s3bucket", "s3",
                    "region = \"us-east-1\"\naccess_key_id_file = \"\(secretsDir.write("key", accessKey))\"\n"
                        + "secret_access_key_file = \"\(secretsDir.write("secret", secretKey))\""))
        let conninfo = try TestCluster.freshDatabase()
        let log = LogCapture()
        let running = DaemonTests.Running(Daemon(config: config, conninfo: conninfo, logger: log.logger))
        defer { _ = running.stop() }
        let errorsFile = state + "/uploads/http/rejected/echo.csv.errors.json"
        #expect(
            eventually(30) {
                FileManager.default.fileExists(atPath: errorsFile)
                    && log.count("upload listing failed", "HTTP status 500") > 0
            }, "\(log.lines.suffix(5))")
        #expect(running.stop())

        let secrets = [uploadToken, accessKey, secretKey]
        let raws = try rows(conninfo, "select raw, detail from jcm.rejections order by id")
        // The header's value is the bearer credential whole: replaced whole.
        #expect(raws.contains { $0[0] == "authorization: ***" }, "\(raws)")
        let errors = try String(contentsOfFile: errorsFile, encoding: .utf8)
        #expect(errors.contains("authorization: ***"), "\(errors)")
        #expect(
            log.lines.contains { $0.contains("upload listing failed") && $0.contains("Credential=***") }, "\(log.lines)"
        )
        for s in secrets {
            #expect(!raws.contains { $0.contains { $0?.contains(s) == true } }, "jcm.rejections holds \(s)")
            #expect(!errors.contains(s), "errors.json holds \(s)")
            #expect(log.count(s) == 0, "\(log.lines.filter { $0.contains(s) })")
        }
        #expect(
            try scalar(
                conninfo, "select count(*) from jcm.batches where url like any($1::text[])",
                ["{" + secrets.map { "\"%\($0)%\"" }.joined(separator: ",") + "}"]) == "0")
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
