import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

/// Uploaded reports end to end: a real nginx (JSON and HTML autoindex) and an S3-compatible
/// endpoint that checks every signature, polled by the daemon, into a real PostgreSQL.
@Suite("uploads: nginx autoindex and S3 listings → reports", .serialized)
struct UploadTests {
    static func config(stateDir: String, uploads: String) throws -> Config {
        try Config.parse(
            """
            [daemon]
            state_dir = "\(stateDir)"
            clock_skew = "5m"

            [[project]]
            id = "P"
            methodology = "M"

            [[meter]]
            id = "PV-1"
            project = "P"
            parameter = "EG_p"
            kind = "interval"
            unit = "kWh"

            [[meter]]
            id = "PV-2"
            project = "P"
            parameter = "EG_p"
            kind = "interval"
            unit = "kWh"

            \(uploads)
            """)
    }

    static func upload(_ id: String, _ url: String, _ listing: String, _ extra: String = "") -> String {
        "[[upload]]\nid = \"\(id)\"\nurl = \"\(url)\"\nlisting = \"\(listing)\"\ninterval = \"1s\"\n\(extra)\n\n"
    }

    static func csv(_ meter: String, _ rows: [(String, String)]) -> String {
        "meter_id,timestamp,value,unit\n" + rows.map { "\(meter),\($0.0),\($0.1),kWh\n" }.joined()
    }

    func count(_ conninfo: String, _ sql: String, _ params: [String?] = []) -> Int {
        (try? scalar(conninfo, sql, params)).flatMap { $0.flatMap { Int($0) } } ?? -1
    }

    func listings(_ daemon: Daemon) -> Int { Int(daemon.metrics.value("jcm_upload_listings_total", ["result": "ok"])) }

    @Test(.enabled(if: UploadNginx.available, "nginx is not installed (deploy/deps.sh installs nginx-light)"))
    func nginxListingsAreIngestedOnceAndAgainWhenChanged() throws {
        let nginx = try UploadNginx(
            json: ["json", "big", "private"], html: ["html"], passwords: ["private": ("contractor", "s3cret pw")])
        defer { nginx.stop() }
        let base = "http://127.0.0.1:\(nginx.port)"
        let old = time(nil) - 3_600
        // A bad row on line 3 (three fields), the others good.
        nginx.put(
            "json", "a.csv",
            "meter_id,timestamp,value,unit\nPV-1,2026-11-01T00:00:00Z,1.5,kWh\nPV-1,2026-11-01T01:00:00Z,2\nPV-1,2026-11-01T02:00:00Z,3,kWh\n",
            mtime: old)
        nginx.put(
            "html", "b.csv", Self.csv("PV-2", [("2026-11-01T00:00:00Z", "10"), ("2026-11-01T01:00:00Z", "11")]),
            mtime: old)
        // Not taken: a subfolder's file (subfolders are not followed) and an uploader's temporary name.
        try FileManager.default.createDirectory(
            atPath: nginx.folder("html") + "/sub", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(
            atPath: nginx.folder("html") + "/sub/c.csv",
            contents: Data(Self.csv("PV-2", [("2026-11-02T00:00:00Z", "1")]).utf8))
        _ = FileManager.default.createFile(
            atPath: nginx.folder("html") + "/d.csv.part",
            contents: Data(Self.csv("PV-2", [("2026-11-03T00:00:00Z", "1")]).utf8))
        nginx.put("private", "p.csv", Self.csv("PV-2", [("2026-11-04T00:00:00Z", "7")]), mtime: old)
        let secrets = TempDir()
        let passwordFile = secrets.write("password", "s3cret pw\n")
        nginx.put(
            "big", "huge.csv",
            Self.csv("PV-1", (0..<200).map { ("2026-10-01T\(String(format: "%02d", $0 % 24)):00:00Z", "\($0)") }),
            mtime: old)

        let state = TestCluster.scratch()
        let config = try Self.config(
            stateDir: state,
            uploads: Self.upload("json", "\(base)/json/", "nginx-json")
                + Self.upload("html", "\(base)/html/", "html")
                + Self.upload("big", "\(base)/big/", "nginx-json", "max_file_bytes = 1024")
                + Self.upload("gone", "\(base)/missing/", "nginx-json")
                + Self.upload(
                    "private", "\(base)/private/", "nginx-json",
                    "auth = { type = \"basic\", username = \"contractor\", secret_file = \"\(passwordFile)\" }")
                + Self.upload("no-password", "\(base)/private/", "nginx-json"))
        let conninfo = try TestCluster.freshDatabase()
        var running = DaemonTests.Running(Daemon(config: config, conninfo: conninfo, logger: TestCluster.logger))
        defer { _ = running.stop() }

        #expect(eventually(30) { count(conninfo, "select count(*) from jcm.batches where kind = 'file'") == 4 })
        #expect(eventually(10) { count(conninfo, "select count(*) from jcm.upload_objects") == 4 })
        // Provenance: each file's batch names the URL it was downloaded from.
        let batches = try rows(
            conninfo, "select file_name, url from jcm.batches where kind = 'file' order by file_name")
        #expect(
            batches == [
                ["a.csv", "\(base)/json/a.csv"], ["b.csv", "\(base)/html/b.csv"], ["huge.csv", "\(base)/big/huge.csv"],
                ["p.csv", "\(base)/private/p.csv"],
            ])
        #expect(count(conninfo, "select count(*) from jcm.readings_view where meter_id = 'PV-1'") == 2)
        #expect(count(conninfo, "select count(*) from jcm.readings_view where meter_id = 'PV-2'") == 3)
        // Basic authentication: with the password the listing and file come through; without, 401 each time.
        #expect(try scalar(conninfo, "select upload_id from jcm.upload_objects where url like '%p.csv'") == "private")
        // The malformed row is kept with the file and line.
        let rejected = try rows(
            conninfo,
            "select r.location, r.reason from jcm.rejections r join jcm.batches b on b.id = r.batch where b.file_name = 'a.csv'"
        )
        #expect(rejected == [["a.csv:3", "record_malformed"]])
        // The file over max_file_bytes: cut off, kept, refused as a whole.
        #expect(
            try rows(
                conninfo,
                "select r.reason, r.location from jcm.rejections r join jcm.batches b on b.id = r.batch where b.file_name = 'huge.csv'"
            )
                == [["payload_too_large", "\(base)/big/huge.csv"]])
        #expect(eventually(10) { FileManager.default.fileExists(atPath: "\(state)/uploads/big/rejected/huge.csv") })
        #expect(
            (try? FileManager.default.attributesOfItem(atPath: "\(state)/uploads/big/rejected/huge.csv")[.size] as? Int)
                == 1024)
        // Where the copies went: a file with a bad row beside its errors file, the clean one in done/.
        #expect(eventually(10) { FileManager.default.fileExists(atPath: "\(state)/uploads/html/done/b.csv") })
        #expect(FileManager.default.fileExists(atPath: "\(state)/uploads/json/rejected/a.csv"))
        #expect(FileManager.default.fileExists(atPath: "\(state)/uploads/json/rejected/a.csv.errors.json"))
        // The failing listing is retried, and never stopped the others.
        #expect(eventually(10) { running.daemon.metrics.value("jcm_upload_listings_total", ["result": "failed"]) >= 4 })
        #expect(nginx.answered("/private/", status: 401) >= 2)

        // The same bytes under another name: a duplicate_file batch, with its own URL.
        let aText = try String(contentsOfFile: nginx.folder("json") + "/a.csv", encoding: .utf8)
        nginx.put("json", "a copy.csv", aText, mtime: old)
        #expect(
            eventually(20) { count(conninfo, "select count(*) from jcm.batches where kind = 'duplicate_file'") == 1 })
        #expect(
            try scalar(conninfo, "select url from jcm.batches where kind = 'duplicate_file'")
                == "\(base)/json/a%20copy.csv")

        // Replaced with new content (new size and mtime): downloaded and ingested again, in both listings.
        let before = listings(running.daemon)
        nginx.put(
            "json", "a.csv",
            Self.csv(
                "PV-1", [("2026-11-01T05:00:00Z", "5"), ("2026-11-01T06:00:00Z", "6"), ("2026-11-01T07:00:00Z", "7")]),
            mtime: old + 60)
        nginx.put("html", "b.csv", Self.csv("PV-2", [("2026-11-01T05:00:00Z", "50")]), mtime: old + 60)
        #expect(
            eventually(20) {
                count(
                    conninfo, "select count(*) from jcm.batches where kind = 'file' and file_name in ('a.csv', 'b.csv')"
                ) == 4
            })
        #expect(eventually(10) { count(conninfo, "select count(*) from jcm.readings_view") == 9 })
        // Unchanged files were listed again and again meanwhile, and fetched once each.
        #expect(eventually(10) { listings(running.daemon) >= before + 6 })
        #expect(nginx.served("/json/a.csv") == 2)
        #expect(nginx.served("/big/huge.csv") == 1)
        // The HTML entry is asked for conditionally: nginx answers 304 while it is unchanged.
        #expect(nginx.served("/html/b.csv") == 2)
        #expect(running.daemon.metrics.value("jcm_upload_downloads_total", ["result": "not_modified"]) >= 1)
        #expect(nginx.served("/html/sub/c.csv") == 0 && nginx.served("/html/d.csv.part") == 0)
        #expect(running.stop())

        // A restart downloads nothing again: what was downloaded is in jcm.upload_objects.
        let batchCount = count(conninfo, "select count(*) from jcm.batches")
        running = DaemonTests.Running(Daemon(config: config, conninfo: conninfo, logger: TestCluster.logger))
        #expect(eventually(20) { listings(running.daemon) >= 6 })
        #expect(running.stop())
        #expect(running.daemon.metrics.value("jcm_upload_downloads_total", ["result": "ok"]) == 0)
        #expect(count(conninfo, "select count(*) from jcm.batches") == batchCount)
        #expect(nginx.served("/json/a.csv") == 2 && nginx.served("/json/a%20copy.csv") == 1)

        // The verifiers' query in docs/schema.md answers what it says: every download, with its URL and outcome.
        let listed = try rows(conninfo, try Self.documentedQuery(under: "### Uploaded files"))
        #expect(listed.count == count(conninfo, "select count(*) from jcm.upload_objects"))
        let outcomes = listed.map { [$0[1], $0[4], $0[10]] }  // url, batch kind, jcm.reports outcome
        #expect(outcomes.contains(["\(base)/big/huge.csv", "file", nil]))
        #expect(outcomes.contains(["\(base)/json/a%20copy.csv", "duplicate_file", nil]))
        #expect(outcomes.filter { $0[0] == "\(base)/json/a.csv" }.map { $0[2] } == ["rejected", "processed"])
    }

    /// The first SQL block after `heading` in docs/schema.md.
    static func documentedQuery(under heading: String) throws -> String {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: repo.appendingPathComponent("docs/schema.md"), encoding: .utf8)
        let section = try #require(text.range(of: heading))
        let open = try #require(text.range(of: "```sql\n", range: section.upperBound..<text.endIndex))
        let close = try #require(text.range(of: "```", range: open.upperBound..<text.endIndex))
        return String(text[open.upperBound..<close.lowerBound])
    }

    @Test func s3ListingsAndObjectsAreSignedAndIngested() throws {
        let s3 = try UploadFakeS3()
        defer { s3.stop() }
        s3.put(
            "site-a/2026/12/day 1.csv",
            Self.csv("PV-1", [("2026-11-01T00:00:00Z", "1"), ("2026-11-01T01:00:00Z", "2")]))
        s3.put("site-a/2026/12/day+2.csv", Self.csv("PV-1", [("2026-11-01T02:00:00Z", "3")]))
        s3.put("site-a/folder/", "")
        s3.put(
            "site-a/zz.json",
            #"{"readings": [{"meter_id": "PV-2", "timestamp": "2026-11-01T00:00:00Z", "value": "4", "unit": "kWh"}]}"#)
        s3.put("site-b/other.csv", Self.csv("PV-2", [("2026-11-05T00:00:00Z", "9")]))
        let secrets = TempDir()
        let keyFile = secrets.write("s3.key", s3.accessKeyID + "\n")
        let secretFile = secrets.write("s3.secret", s3.secretAccessKey + "\n")
        let wrongFile = secrets.write("wrong.secret", "not-the-secret\n")
        let s3Keys = "region = \"\(s3.region)\"\naccess_key_id_file = \"\(keyFile)\"\n"
        let state = TestCluster.scratch()
        let config = try Self.config(
            stateDir: state,
            uploads:
                Self.upload(
                    "bucket", s3.bucketURL, "s3",
                    s3Keys + "prefix = \"site-a/\"\nsecret_access_key_file = \"\(secretFile)\"")
                + Self.upload(
                    "wrong-key", s3.bucketURL, "s3",
                    s3Keys + "prefix = \"site-b/\"\nsecret_access_key_file = \"\(wrongFile)\""))
        let conninfo = try TestCluster.freshDatabase()
        var running = DaemonTests.Running(Daemon(config: config, conninfo: conninfo, logger: TestCluster.logger))
        defer { _ = running.stop() }

        #expect(eventually(30) { count(conninfo, "select count(*) from jcm.upload_objects") == 3 })
        #expect(eventually(10) { count(conninfo, "select count(*) from jcm.readings_view") == 4 })
        let urls = try rows(conninfo, "select file_name, url from jcm.batches where kind <> 'plan' order by file_name")
        #expect(
            urls == [
                ["site-a_2026_12_day 1.csv", s3.bucketURL + "site-a/2026/12/day%201.csv"],
                ["site-a_2026_12_day+2.csv", s3.bucketURL + "site-a/2026/12/day%2B2.csv"],
                ["site-a_zz.json", s3.bucketURL + "site-a/zz.json"],
            ])
        let remembered = try rows(
            conninfo, "select etag, size, modified from jcm.upload_objects where url like '%zz.json'")
        #expect(remembered.first?[0]?.hasPrefix("\"") == true && remembered.first?[2] == "2026-12-02T10:00:00.000Z")
        // Signed wrong, refused by the endpoint, never ingested, and retried at each interval.
        #expect(eventually(10) { s3.refused.count >= 2 })
        #expect(s3.refused.allSatisfy { $0.hasPrefix("signature mismatch") }, "\(s3.refused.first ?? "")")
        #expect(count(conninfo, "select count(*) from jcm.batches where file_name = 'other.csv'") == 0)

        // A changed object (new ETag and size) comes again; the others do not.
        let before = listings(running.daemon)
        s3.put(
            "site-a/zz.json",
            #"{"readings": [{"meter_id": "PV-2", "timestamp": "2026-11-01T01:00:00Z", "value": "5", "unit": "kWh"}]}"#,
            modified: "2026-12-02T11:00:00.000Z")
        #expect(
            eventually(20) {
                count(conninfo, "select count(*) from jcm.batches where file_name = 'site-a_zz.json'") == 2
            })
        #expect(eventually(10) { listings(running.daemon) >= before + 3 })
        #expect(s3.downloads("site-a/zz.json") == 2 && s3.downloads("site-a/2026/12/day 1.csv") == 1)
        #expect(running.stop())

        running = DaemonTests.Running(Daemon(config: config, conninfo: conninfo, logger: TestCluster.logger))
        #expect(eventually(20) { listings(running.daemon) >= 2 })
        #expect(running.stop())
        #expect(
            s3.downloads("site-a/zz.json") == 2 && s3.downloads("site-a/2026/12/day 1.csv") == 1
                && s3.downloads("site-a/2026/12/day+2.csv") == 1)
        #expect(s3.downloads("site-b/other.csv") == 0)
    }

    @Test func aReloadStartsAnUploadSourceAddedToTheConfiguration() throws {
        let s3 = try UploadFakeS3()
        defer { s3.stop() }
        s3.put("r.csv", Self.csv("PV-1", [("2026-11-01T00:00:00Z", "1")]))
        let secrets = TempDir()
        let keys =
            "region = \"\(s3.region)\"\naccess_key_id_file = \"\(secrets.write("k", s3.accessKeyID))\"\n"
            + "secret_access_key_file = \"\(secrets.write("s", s3.secretAccessKey))\""
        let state = TestCluster.scratch()
        let first = try Self.config(stateDir: state, uploads: "")
        let second = try Self.config(stateDir: state, uploads: Self.upload("bucket", s3.bucketURL, "s3", keys))
        let conninfo = try TestCluster.freshDatabase()
        let daemon = Daemon(config: first, conninfo: conninfo, logger: TestCluster.logger, reload: { second })
        let running = DaemonTests.Running(daemon)
        defer { _ = running.stop() }
        #expect(eventually(10) { count(conninfo, "select count(*) from jcm.schema_migrations") > 0 })
        #expect(s3.downloads("r.csv") == 0)
        daemon.requestReload()
        #expect(
            eventually(20) { count(conninfo, "select count(*) from jcm.readings_view where meter_id = 'PV-1'") == 1 })
        #expect(try scalar(conninfo, "select url from jcm.batches where kind <> 'plan'") == s3.bucketURL + "r.csv")
    }

    @Test func anUnreadableKeyFileStopsTheStartNamingTheSource() throws {
        let config = try Self.config(
            stateDir: TestCluster.scratch(),
            uploads: Self.upload(
                "bucket", "http://127.0.0.1:9/b/", "s3",
                "region = \"eu-west-1\"\naccess_key_id_file = \"/nonexistent/key\"\nsecret_access_key_file = \"/nonexistent/secret\""
            ))
        let daemon = Daemon(config: config, conninfo: try TestCluster.freshDatabase(), logger: TestCluster.logger)
        #expect { try daemon.run() } throws: {
            "\($0)".contains("upload bucket: cannot read access_key_id_file /nonexistent/key")
        }
    }
}
