import Testing

@testable import JCMCore

private func refused(_ text: String) -> [ConfigProblem] {
    do {
        _ = try Config.parse(text)
        Issue.record("expected the configuration to be refused")
        return []
    } catch {
        return error.problems
    }
}

@Suite("[[upload]] configuration")
struct UploadConfigTests {
    @Test func defaultsAndKeys() throws {
        let config = try Config.parse(
            """
            [daemon]
            state_dir = "/var/lib/jcm"

            [[upload]]
            id = "contractor-a"
            url = "https://files.example/reports/"
            listing = "nginx-json"
            timezone = "Asia/Tokyo"
            auth = { type = "basic", username = "jcm", secret_file = "upload-a.pass" }

            [[upload]]
            id = "bucket"
            url = "http://127.0.0.1:9000/reports"
            listing = "s3"
            interval = "5m"
            prefix = "site-a/"
            region = "eu-west-1"
            access_key_id_file = "s3.key"
            secret_access_key_file = "s3.secret"
            max_file_bytes = 1048576
            """)
        #expect(config.uploads.count == 2)
        let a = config.uploads[0]
        #expect(a.listing == .nginxJSON)
        #expect(a.intervalMilliseconds == 60_000)
        #expect(a.maxFileBytes == 1 << 30)
        #expect(a.auth.kind == .basic && a.auth.username == "jcm" && a.auth.secretFile == "upload-a.pass")
        #expect(
            a.folders(stateDir: config.daemon.stateDir)
                == Config.Watch(
                    dir: "/var/lib/jcm/uploads/contractor-a/incoming", timeZone: "Asia/Tokyo",
                    processedDir: "/var/lib/jcm/uploads/contractor-a/done",
                    rejectedDir: "/var/lib/jcm/uploads/contractor-a/rejected"))
        let b = config.uploads[1]
        #expect(
            b.listing == .s3 && b.intervalMilliseconds == 300_000 && b.prefix == "site-a/" && b.region == "eu-west-1")
        #expect(b.accessKeyIDFile == "s3.key" && b.secretAccessKeyFile == "s3.secret" && b.maxFileBytes == 1_048_576)
    }

    @Test func everyProblemIsNamedByKeyPath() {
        let found = refused(
            """
            [[upload]]
            id = "a/b"
            url = "ftp://files.example/reports"
            listing = "webdav"

            [[upload]]
            id = "s3"
            url = "https://s3.example/bucket"
            listing = "s3"
            secret_access_key = "hunter2"
            auth = { type = "bearer", secret_file = "t" }

            [[upload]]
            id = "html"
            url = "http://files.example/reports"
            listing = "html"
            prefix = "x/"
            tls = { verify = false }
            max_file_bytes = 10

            [[upload]]
            id = "html"
            url = "http://files.example/other/"
            listing = "html"
            intervall = "1m"
            """)
        let byKey = Dictionary(found.map { ($0.key, $0.message) }, uniquingKeysWith: { a, b in a + " | " + b })
        #expect(byKey["upload[1].id"]?.contains("must be letters, digits") == true)
        #expect(byKey["upload[1].listing"] == #""webdav" is not one of nginx-json, html, s3"#)
        #expect(byKey["upload[2].secret_access_key"]?.contains("secret_access_key_file") == true)
        #expect(byKey["upload[2].region"]?.contains("is required") == true)
        #expect(byKey["upload[2].access_key_id_file"]?.contains("is required") == true)
        #expect(byKey["upload[2].secret_access_key_file"]?.contains("is required") == true)
        #expect(byKey["upload[2].auth"]?.contains("signed with access_key_id_file") == true)
        #expect(byKey["upload[3].url"]?.contains(#"must end with "/""#) == true)
        #expect(byKey["upload[3].prefix"] == #"only applies to listing = "s3""#)
        #expect(byKey["upload[3].tls"] == "only applies to an https:// url")
        #expect(byKey["upload[3].max_file_bytes"]?.contains("must be between 1024") == true)
        #expect(byKey["upload[4].id"] == #""html" is already the id of upload[3]"#)
        #expect(byKey["upload[4].intervall"] == "unknown key; did you mean interval?")
        #expect(found.first { $0.key == "upload[1].listing" }?.line == 4)
    }

    @Test func urlSchemeIsChecked() {
        let found = refused("[[upload]]\nid = \"x\"\nurl = \"ftp://h/r/\"\nlisting = \"html\"\n")
        #expect(found == [ConfigProblem(key: "upload[1].url", line: 3, message: "must start with http:// or https://")])
    }
}
