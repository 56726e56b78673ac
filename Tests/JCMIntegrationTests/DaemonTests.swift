import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

/// The daemon end to end: a real HTTP gateway on loopback polled through libcurl, a real
/// watched folder, a real PostgreSQL.
@Suite("daemon: meter → row, folder → row", .serialized)
struct DaemonTests {
    /// A gateway with one route per kind of meter behaviour.
    static func gateway() throws -> HTTPServer {
        let counter = Counter()
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            let now = Timestamp(date: Date()).description
            switch request.path {
            case "/ok":
                let wh = 1_000_000 + counter.next() * 250
                return .json(#"{"ts": "\#(now)", "energy": {"total_wh": \#(wh).5}}"#)
            case "/html": return .text("<html><body>Gateway busy</body></html>", contentType: "text/html")
            case "/error": return .json(#"{"error": "internal"}"#, status: 500)
            case "/slow":
                var r = HTTPResponse.json(#"{"ts": "\#(now)", "energy": {"total_wh": 1}}"#)
                r.delayMilliseconds = 3_000
                return r
            case "/big":
                return .json(
                    #"{"ts": "\#(now)", "pad": "\#(String(repeating: "x", count: 10_000))", "energy": {"total_wh": 1}}"#
                )
            case "/nofield": return .json(#"{"ts": "\#(now)", "energy": {}}"#)
            case "/unchanged": return HTTPResponse(status: 304)
            default: return .text("not found", status: 404)
            }
        }
        server.start()
        return server
    }

    final class Running: @unchecked Sendable {
        let daemon: Daemon
        let done = DispatchSemaphore(value: 0)
        init(_ daemon: Daemon) {
            self.daemon = daemon
            Thread {
                do { try daemon.run() } catch { Issue.record("daemon failed: \(error)") }
                self.done.signal()
            }.start()
        }
        private var stopped: Bool?

        /// Idempotent: a test's `defer` may call it again after an explicit stop.
        func stop() -> Bool {
            if let stopped { return stopped }
            daemon.requestStop()
            stopped = done.wait(timeout: .now() + 30) == .success
            return stopped!
        }
    }

    @Test func pollsLandAndEveryFailureIsKeptWithItsReason() throws {
        let server = try Self.gateway()
        defer { server.stop() }
        let config = try Fixtures.config(gateway: "http://127.0.0.1:\(server.port)", metrics: true)
        let conninfo = try TestCluster.freshDatabase()
        let daemon = Daemon(config: config, conninfo: conninfo, logger: TestCluster.logger)
        let running = Running(daemon)

        let reasons = ["payload_invalid", "http_status", "http_transport", "payload_too_large", "missing_field"]
        #expect(eventually(10) { daemon.metricsPort != nil })
        let port = try #require(daemon.metricsPort)
        func scrape() throws -> RawResponse {
            try BlockingHTTPConnection(port: port).request("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        }
        let complete = eventually(30) {
            let okRows =
                Int(try scalar(conninfo, "select count(*) from jcm.readings_view where meter_id = 'GW-OK'") ?? "0") ?? 0
            let seen = Set(try rows(conninfo, "select distinct reason from jcm.rejections").compactMap { $0[0] })
            // The five failing gateways have failed three times in a row: down.
            // A gauge: swift-prometheus prints it as a Double.
            let down = try scrape().bodyText.contains("jcm_meters_down 5.0\n")
            return okRows >= 2 && Set(reasons).isSubset(of: seen) && down
        }
        // What Prometheus and a load balancer see.
        let metrics = try scrape()
        #expect(metrics.status == 200)
        #expect(metrics.bodyText.contains(#"jcm_polls_total{result="not_modified"}"#))
        #expect(metrics.bodyText.contains("# TYPE jcm_polls_total counter"))
        #expect(metrics.bodyText.contains(#"jcm_polls_total{result="failed"}"#))
        #expect(metrics.bodyText.contains(#"jcm_readings_total{verdict="accepted"}"#))
        #expect(metrics.bodyText.contains("jcm_database_up 1"))
        #expect(
            try BlockingHTTPConnection(port: port).request("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
        #expect(running.stop())
        #expect(complete)

        let ok = try rows(
            conninfo,
            "select (value * 1000 = raw_value::numeric)::text, raw_unit, status, url, http_status from jcm.readings_view v join jcm.batches b on b.id = v.batch where meter_id = 'GW-OK' order by ts"
        )
        #expect(ok.allSatisfy { $0[0] == "true" })  // Wh to kWh, exact
        #expect(ok.first?[1] == "Wh")
        #expect(ok.first?[3]?.hasSuffix("/ok?api_key=REDACTED") == true)
        #expect(ok.first?[4] == "200")
        let byMeter = Dictionary(
            uniqueKeysWithValues: try rows(
                conninfo,
                """
                select distinct on (meter_id) meter_id, reason, detail, raw from jcm.rejections order by meter_id, id
                """
            ).map { ($0[0]!, $0) })
        #expect(byMeter["GW-HTML"]?[1] == "payload_invalid")
        #expect(byMeter["GW-HTML"]?[3]?.contains("Gateway busy") == true)  // the raw body is kept
        #expect(byMeter["GW-500"]?[1] == "http_status")
        #expect(byMeter["GW-SLOW"]?[1] == "http_transport")
        #expect(byMeter["GW-BIG"]?[1] == "payload_too_large")
        #expect(byMeter["GW-NOFIELD"]?[2]?.contains("energy.total_wh") == true)
        // The API key in the URL is never stored.
        let leaks = try scalar(
            conninfo,
            """
            select count(*) from (select url as t from jcm.batches union all select url from jcm.meters
            union all select location from jcm.rejections union all select detail from jcm.rejections) x where t like '%secret123%'
            """)
        #expect(leaks == "0")
    }

    @Test func droppedFilesAreIngestedThenMovedAndNothingIsDeleted() throws {
        let dir = TempDir()
        let incoming = dir.file("incoming")
        try FileManager.default.createDirectory(atPath: incoming, withIntermediateDirectories: true)
        // Arrived while the daemon was down.
        try "meter_id,timestamp,value,unit\nPV-1,2026-11-01T00:00:00Z,1,kWh\n".write(
            toFile: incoming + "/early.csv", atomically: true, encoding: .utf8)
        let config = try Fixtures.config(watchDir: incoming)
        let conninfo = try TestCluster.freshDatabase()
        let running = Running(Daemon(config: config, conninfo: conninfo, logger: TestCluster.logger))
        defer { _ = running.stop() }

        #expect(eventually { FileManager.default.fileExists(atPath: incoming + "/processed/early.csv") })

        // An upload in progress is left alone; the same bytes renamed into place are taken.
        let good = "meter_id,timestamp,value,unit\nPV-1,2026-11-01T01:00:00Z,2,kWh\n"
        try good.write(toFile: incoming + "/late.csv.part", atomically: false, encoding: .utf8)
        try good.write(toFile: incoming + "/.hidden.csv", atomically: false, encoding: .utf8)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try scalar(conninfo, "select count(*) from jcm.readings") == "1")
        #expect(rename(incoming + "/late.csv.part", incoming + "/late 11月.csv") == 0)
        #expect(eventually { FileManager.default.fileExists(atPath: incoming + "/processed/late 11月.csv") })
        #expect(try scalar(conninfo, "select count(*) from jcm.readings") == "2")
        #expect(FileManager.default.fileExists(atPath: incoming + "/.hidden.csv"))

        // A file with a bad row: good rows land, the file goes to rejected/ with its errors.
        try "meter_id,timestamp,value,unit\nPV-1,2026-11-01T02:00:00Z,3,kWh\nPV-1,2026-11-01T03:00:00Z,oops,kWh\n"
            .write(toFile: incoming + "/mixed.csv", atomically: true, encoding: .utf8)
        #expect(eventually { FileManager.default.fileExists(atPath: incoming + "/rejected/mixed.csv.errors.json") })
        #expect(FileManager.default.fileExists(atPath: incoming + "/rejected/mixed.csv"))
        let errors = try JSON.parse(
            String(contentsOfFile: incoming + "/rejected/mixed.csv.errors.json", encoding: .utf8))
        #expect(errors.value(at: "problems.0.line") == .number("3"))
        #expect(errors.value(at: "problems.0.reason") == .string("value_not_numeric"))
        #expect(errors.value(at: "sha256") == .string(shellSHA256(incoming + "/rejected/mixed.csv")))
        #expect(try scalar(conninfo, "select count(*) from jcm.readings") == "3")

        // The same bytes again: recorded as a duplicate, moved with a new name, not ingested twice.
        try good.write(toFile: incoming + "/late-again.csv", atomically: true, encoding: .utf8)
        try good.write(toFile: incoming + "/late 11月.csv", atomically: true, encoding: .utf8)
        #expect(eventually { FileManager.default.fileExists(atPath: incoming + "/processed/late 11月.1.csv") })
        #expect(eventually { FileManager.default.fileExists(atPath: incoming + "/processed/late-again.csv") })
        #expect(try scalar(conninfo, "select count(*) from jcm.batches where kind = 'duplicate_file'") == "2")
        #expect(try scalar(conninfo, "select count(*) from jcm.readings") == "3")

        // A link pointing out of the folder is refused, moved aside (the link, not its target).
        #expect(symlink("/etc/hostname", incoming + "/escape.csv") == 0)
        #expect(eventually { FileManager.default.fileExists(atPath: incoming + "/rejected/escape.csv.errors.json") })
        #expect(FileManager.default.fileExists(atPath: "/etc/hostname"))
        #expect(
            (try? FileManager.default.destinationOfSymbolicLink(atPath: incoming + "/rejected/escape.csv"))
                == "/etc/hostname")

        // Unreadable content: rejected with its reason, nothing crashes, later files still flow.
        _ = FileManager.default.createFile(atPath: incoming + "/garbage.csv", contents: Data([0, 159, 146, 150, 0, 1]))
        try "meter_id,timestamp,value,unit\nPV-1,2026-11-01T04:00:00Z,4,kWh\n".write(
            toFile: incoming + "/after.csv", atomically: true, encoding: .utf8)
        #expect(eventually { FileManager.default.fileExists(atPath: incoming + "/processed/after.csv") })
        #expect(FileManager.default.fileExists(atPath: incoming + "/rejected/garbage.csv.errors.json"))
        #expect(try scalar(conninfo, "select count(*) from jcm.readings") == "4")
        #expect(running.stop())
    }

    @Test func reloadAddsMetersAndFoldersAndABadConfigKeepsTheOldOne() throws {
        let server = try Self.gateway()
        defer { server.stop() }
        let dir = TempDir()
        let first = try Fixtures.config(watchDir: dir.file("a"))
        let second = try Fixtures.config(watchDir: dir.file("b"), gateway: "http://127.0.0.1:\(server.port)")
        let next = Counter()
        let conninfo = try TestCluster.freshDatabase()
        // The first reload fails (as a bad file would), the second brings the gateway meters.
        let daemon = Daemon(
            config: first, conninfo: conninfo, logger: TestCluster.logger,
            reload: {
                if next.next() == 1 {
                    throw ConfigError(file: "x.toml", problems: [ConfigProblem(key: "k", line: 1, message: "bad")])
                }
                return second
            })
        let running = Running(daemon)
        defer { _ = running.stop() }
        let csv = "meter_id,timestamp,value,unit\nPV-1,2026-11-01T00:00:00Z,1,kWh\n"
        #expect(eventually { FileManager.default.fileExists(atPath: dir.file("a")) })
        try csv.write(toFile: dir.file("a/1.csv"), atomically: true, encoding: .utf8)
        #expect(eventually { FileManager.default.fileExists(atPath: dir.file("a/processed/1.csv")) })

        daemon.requestReload()  // refused: folder a is still watched, nothing is polled
        Thread.sleep(forTimeInterval: 0.5)
        try csv.replacingOccurrences(of: "00:00", with: "01:00").write(
            toFile: dir.file("a/2.csv"), atomically: true, encoding: .utf8)
        #expect(eventually { FileManager.default.fileExists(atPath: dir.file("a/processed/2.csv")) })
        #expect(try scalar(conninfo, "select count(*) from jcm.meters") == "3")

        daemon.requestReload()  // applied: the gateway meters are mirrored and polled, folder b watched
        #expect(
            eventually {
                (try? scalar(conninfo, "select count(*) from jcm.readings_view where meter_id = 'GW-OK'")).flatMap {
                    $0
                }.flatMap(Int.init) ?? 0 >= 1
            })
        #expect(try scalar(conninfo, "select count(*) from jcm.meters") == "10")
        try csv.replacingOccurrences(of: "00:00", with: "02:00").write(
            toFile: dir.file("b/3.csv"), atomically: true, encoding: .utf8)
        #expect(eventually { FileManager.default.fileExists(atPath: dir.file("b/processed/3.csv")) })
        // PV-1's counter state survived the reload: its readings stay in order, none refused.
        #expect(try scalar(conninfo, "select count(*) from jcm.readings_view where meter_id = 'PV-1'") == "3")
        #expect(try scalar(conninfo, "select count(*) from jcm.rejections where meter_id = 'PV-1'") == "0")
        #expect(running.stop())
    }
}
