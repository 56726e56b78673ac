import Foundation
import JCMCore
import JCMDaemon
import Testing

/// Upload listings that name files no local folder can hold: a NUL or other control character
/// (`a.csv\u0000zzz` in nginx JSON, `&#0;` or `%00` in an HTML index), or more bytes than
/// NAME_MAX. A real Python server on loopback serves the listings and every path it is asked
/// for, and logs the paths; the daemon runs in process into a real PostgreSQL.
@Suite("uploads: names with NUL, control characters, or too long", .serialized)
struct UploadNameEdgeTests {
    static let python = "/usr/bin/python3"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: python) }

    /// Answers GET /up/ (nginx JSON), /html/ (an HTML index) and any file path, from `files`
    /// (path as requested, percent-encoding kept → body); logs every path to `log`.
    static let server = #"""
        import http.server, json, sys
        port, files_path, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        files = json.load(open(files_path))
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                open(log_path, "a").write(self.path + "\n")
                body = files.get(self.path)
                if body is None:
                    self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers(); return
                data = body.encode("utf-8", "surrogatepass")
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def log_message(self, *args): pass
        http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
        """#

    /// Starts the Python server on `port`; the log of the paths it was asked for.
    static func serve(_ files: [String: String], port: UInt16, dir: TempDir) throws -> (Process, log: String) {
        try JSONSerialization.data(withJSONObject: files).write(to: URL(fileURLWithPath: dir.file("files.json")))
        let log = dir.file("requests.log")
        let script = dir.write("server.py", Self.server)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [script, "\(port)", dir.file("files.json"), log]
        try process.run()
        _ = eventually(10) { canConnect(port) }
        return (process, log)
    }

    /// SIGKILL: a child inherits the signals blocked in the test process, SIGTERM among them.
    static func kill(_ process: Process) {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    @Test(.enabled(if: available))
    func controlCharactersAreRefusedAndEveryLocalNameIsUniqueAndShortEnough() throws {
        let dir = TempDir()
        let port = try freePort()
        let a = UploadTests.csv("PV-1", [("2026-11-01T00:00:00Z", "1")])
        let impostor = "not,a,report\n\u{1B}[2J"
        let long = String(repeating: "L", count: 296) + ".csv"  // 300 bytes: more than NAME_MAX
        let c = UploadTests.csv("PV-2", [("2026-11-01T00:00:00Z", "3")])
        let b = UploadTests.csv("PV-1", [("2026-11-01T05:00:00Z", "4")])
        let listing: [[String: Any]] = [
            ["name": "a.csv", "type": "file", "size": a.utf8.count],
            ["name": "a.csv\u{0}zzz", "type": "file", "size": impostor.utf8.count],
            ["name": "a.csv\u{1B}[0m", "type": "file", "size": impostor.utf8.count],
            ["name": long, "type": "file", "size": c.utf8.count],
        ]
        let html =
            #"<html><body><a href="b.csv">b.csv</a> <a href="b.csv%00zzz">x</a> <a href="b.csv&#0;yyy">y</a></body></html>"#
        let files: [String: String] = [
            "/up/": String(decoding: try JSONSerialization.data(withJSONObject: listing), as: UTF8.self),
            "/up/a.csv": a, "/up/a.csv%00zzz": impostor, "/up/a.csv%1B%5B0m": impostor, "/up/\(long)": c,
            "/html/": html, "/html/b.csv": b, "/html/b.csv%00zzz": impostor, "/html/b.csv%00yyy": impostor,
        ]
        let (process, log) = try Self.serve(files, port: port, dir: dir)
        defer { Self.kill(process) }

        let stateDir = TestCluster.scratch()
        let config = try UploadTests.config(
            stateDir: stateDir,
            uploads: UploadTests.upload("json", "http://127.0.0.1:\(port)/up/", "nginx-json")
                + UploadTests.upload("html", "http://127.0.0.1:\(port)/html/", "html"))
        let conninfo = try TestCluster.freshDatabase()
        let daemon = Daemon(config: config, conninfo: conninfo, logger: TestCluster.logger)
        let running = DaemonTests.Running(daemon)
        defer { _ = running.stop() }

        func count(_ sql: String) -> Int { Int((try? scalar(conninfo, sql)) ?? "-1") ?? -1 }
        #expect(
            eventually(40) { count("select count(*) from jcm.batches where kind = 'file'") == 3 },
            "\((try? rows(conninfo, "select file_name, url from jcm.batches")) ?? [])")
        #expect(count("select count(*) from jcm.readings") == 3)
        // The impostors were never fetched, so nothing landed on a.csv's or b.csv's name.
        let requested = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(!requested.contains("%00") && !requested.contains("%1B"), "\(requested)")
        #expect(daemon.metrics.value("jcm_upload_downloads_total", ["result": "refused_name"]) >= 4)
        let json = "\(stateDir)/uploads/json"
        #expect(try String(contentsOfFile: "\(json)/done/a.csv", encoding: .utf8) == a)
        #expect(!FileManager.default.fileExists(atPath: "\(json)/rejected/a.csv"))

        // The 300-byte name: downloaded under a short name of its own, the URL naming it in full.
        let batch = try #require(
            try rows(conninfo, "select file_name, url from jcm.batches where url like '%LLLL%'").first)
        let local = try #require(batch[0])
        #expect(local.utf8.count <= 249 && local.hasSuffix(".csv") && local.hasPrefix("LLLL"), "\(local)")
        #expect(batch[1] == "http://127.0.0.1:\(port)/up/\(long)")
        #expect(FileManager.default.fileExists(atPath: "\(json)/done/\(local)"))
    }
}

/// The daemon's own log (the executable's logfmt on stderr) when file names carry ESC, BEL or
/// NUL: each is escaped, so a line can neither drive the terminal showing the journal nor be cut.
@Suite("logs: control characters in names are escaped")
struct LogEscapeTests {
    @Test(.enabled(if: ChildDaemon.available && UploadNameEdgeTests.available))
    func controlCharactersInNamesAreEscapedInTheLog() throws {
        let dir = TempDir()
        let port = try freePort()
        let listing = #"[{"name": "n\u0000ul.csv", "type": "file", "size": 3}]"#
        let (server, _) = try UploadNameEdgeTests.serve(["/up/": listing], port: port, dir: dir)
        defer { UploadNameEdgeTests.kill(server) }
        let incoming = dir.file("incoming")
        try FileManager.default.createDirectory(atPath: incoming, withIntermediateDirectories: true)
        let conninfo = try TestCluster.freshDatabase()
        let daemon = try ChildDaemon(
            config: """
                [database]
                url = "\(conninfo)"

                """ + PolledGateways.header(stateDir: dir.file("state")) + """
                    [[meter]]
                    id = "PV-1"
                    project = "P"
                    parameter = "EG_p"
                    kind = "interval"
                    unit = "kWh"

                    [[watch]]
                    dir = "\(incoming)"

                    """ + UploadTests.upload("up", "http://127.0.0.1:\(port)/up/", "nginx-json"), dir: dir)
        defer { daemon.stop() }
        let name = "esc\u{1B}[31mred\u{7}\u{9B}.csv"
        try "meter_id,timestamp,value,unit\nPV-1,2026-11-01T00:00:00Z,1,kWh\n".write(
            toFile: "\(incoming)/\(name)", atomically: true, encoding: .utf8)
        #expect(eventually(30) { FileManager.default.fileExists(atPath: "\(incoming)/processed/\(name)") })
        #expect(eventually(30) { daemon.logText.contains("upload refused") })
        daemon.stop()

        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: daemon.log)))
        let raw = bytes.filter { $0 < 0x20 && $0 != 0x0A }
        #expect(raw.isEmpty, "raw control bytes in the log: \(raw)")
        let text = daemon.logText
        #expect(text.contains(#"esc\x1B[31mred\x07\x9B.csv"#), "\(text)")
        let refused = try #require(text.split(separator: "\n").first { $0.contains("upload refused") })
        #expect(
            refused.contains(#"name="n\x00ul.csv""#) && refused.contains("url="),
            "the line goes on past the NUL: \(refused)")
    }
}
