import Foundation
import Testing

/// The daemon's /metrics port under attack, as anyone who can reach it could attack it: the
/// daemon runs as a child process with systemd's kind of descriptor limit, polling a meter on
/// nginx every second into a real PostgreSQL.
@Suite("metrics server under attack", .serialized)
struct MetricsServerAttackTests {
    /// A daemon polling nginx's `{"wh": 5}` every second (stamped with its arrival), serving /metrics.
    struct Setup {
        let dir = TempDir()
        let conninfo: String
        let nginx: Nginx
        let daemon: ChildDaemon
        let metricsPort: UInt16

        /// Its watched folder.
        var incoming: String { dir.file("incoming") }

        init(openFiles: Int) throws {
            conninfo = try TestCluster.freshDatabase()
            let gatewayPort = try freePort()
            nginx = try Nginx(
                dir: dir.file("nginx"), port: gatewayPort,
                http: """
                    server { listen 127.0.0.1:\(gatewayPort);
                      location /m { default_type application/json; return 200 '{"wh": 5}'; } }
                    """)
            metricsPort = try freePort()
            let config = """
                [database]
                url = "\(conninfo)"

                [metrics]
                listen = "127.0.0.1:\(metricsPort)"

                """ + PolledGateways.header(stateDir: dir.file("state"))
                + PolledGateways.meter(
                    "M1", "http://127.0.0.1:\(gatewayPort)/m", kind: "instantaneous", unit: "W",
                    payload: "json.value = \"wh\"")
                + "[[watch]]\ndir = \"\(dir.file("incoming"))\"\n"
            try FileManager.default.createDirectory(atPath: dir.file("state"), withIntermediateDirectories: true)
            daemon = try ChildDaemon(config: config, dir: dir, openFiles: openFiles)
        }

        func readings() throws -> Int { Int(try scalar(conninfo, "select count(*) from jcm.readings") ?? "0") ?? 0 }

        /// One request on its own connection, with `Connection: close`; the whole answer.
        func request(_ head: String, body: String = "") -> String {
            guard let client = RawClient(port: metricsPort) else { return "" }
            client.send(head + "\r\nHost: x\r\nConnection: close\r\n\r\n" + body)
            return client.readToEnd()
        }
    }

    /// 600 connections that trickle a request head byte by byte (slowloris) to a daemon allowed
    /// 256 descriptors: before, they took every descriptor and polling stopped without a word.
    /// Now the server keeps 64 at most, and the meter keeps being polled and stored.
    @Test(.enabled(if: ChildDaemon.available && Nginx.available))
    func tricklingConnectionsNeitherStopPollingNorLockOutScrapers() throws {
        let setup = try Setup(openFiles: 256)
        #expect(eventually(30) { try setup.readings() >= 2 }, "the daemon polls: \(setup.daemon.logText)")

        let attackers = (0..<600).compactMap { _ in RawClient(port: setup.metricsPort) }
        #expect(attackers.count == 600)
        for client in attackers { client.send("GET /metrics HTTP/1.1\r\n") }
        let stop = SharedValue(false)
        let trickler = Thread {
            while !stop.value {
                for client in attackers { client.send("X-a: b\r\n") }
                Thread.sleep(forTimeInterval: 1)
            }
        }
        trickler.start()
        defer { stop.value = true }

        let before = try setup.readings()
        #expect(
            eventually(60) { try setup.readings() >= before + 10 }, "polls go on: \(setup.daemon.logText.suffix(3000))")
        let scrape = setup.request("GET /metrics HTTP/1.1")
        #expect(scrape.hasPrefix("HTTP/1.1 200"), "a scraper still gets in: \(scrape.prefix(300))")
        #expect(scrape.contains("jcm_metrics_connections_closed_total{reason=\"evicted\"}"), "\(scrape)")
        #expect(!setup.daemon.logText.contains("Too many open files"), "\(setup.daemon.logText.suffix(3000))")
    }

    /// A daemon allowed 40 descriptors (it needs 12) with idle connections taking the rest: the
    /// writer cannot open the spool to read the polls back. Before, it skipped them as read and
    /// deleted them, silently; now the failure is logged and counted, the polls wait in the
    /// spool, and they are written once descriptors are free again. A report dropped meanwhile
    /// waits in its folder (before, it went to rejected/ without its errors file). The daemon
    /// lives through it: when its tasks ran on libdispatch's pool, libdispatch trapped at the
    /// limit (`DefaultExecutor`).
    @Test(.enabled(if: ChildDaemon.available && Nginx.available))
    func pollsSpooledWhileDescriptorsRunOutAreWrittenNotSkipped() throws {
        let setup = try Setup(openFiles: 40)
        #expect(eventually(30) { try setup.readings() >= 2 }, "the daemon polls: \(setup.daemon.logText)")
        var clients = (0..<60).compactMap { _ in RawClient(port: setup.metricsPort) }
        #expect(
            eventually(30) { setup.daemon.logText.contains("cannot read the spool") },
            "\(setup.daemon.logText.suffix(2000))")
        let from = try #require(try scalar(setup.conninfo, "select now()"))
        try "meter_id,timestamp,value,unit\nM1,2026-11-01T00:00:00Z,5,W\n".write(
            toFile: setup.dir.file("r.csv"), atomically: true, encoding: .utf8)
        #expect(rename(setup.dir.file("r.csv"), "\(setup.incoming)/r.csv") == 0)
        // Polls made now can only wait in the spool; the report is retried past three attempts.
        Thread.sleep(forTimeInterval: 8)
        let to = try #require(try scalar(setup.conninfo, "select now()"))
        clients.removeAll()  // closed: the server lets their descriptors go
        let during = "select count(*) from jcm.readings where ts > $1::timestamptz and ts < $2::timestamptz"
        #expect(
            eventually(60) { Int(try scalar(setup.conninfo, during, [from, to]) ?? "0")! >= 1 },
            "polls made while the spool could not be read are written: \(setup.daemon.logText.suffix(2000))")
        #expect(
            eventually(60) { FileManager.default.fileExists(atPath: "\(setup.incoming)/processed/r.csv") },
            "\(setup.daemon.logText.suffix(2000))")
        #expect(!FileManager.default.fileExists(atPath: "\(setup.incoming)/rejected/r.csv"))
        #expect(setup.daemon.logText.contains("out of file descriptors; retrying"))
        let scrape = setup.request("GET /metrics HTTP/1.1")
        #expect(scrape.contains("jcm_open_failures_total{what=\"spool_read\",error=\"EMFILE\"}"), "\(scrape)")
        #expect(scrape.contains("jcm_open_failures_total{what=\"metrics_accept\",error=\"EMFILE\"}"), "\(scrape)")
        // The same process all along: it rode the shortage out, nothing restarted it.
        #expect(setup.daemon.process.isRunning, "\(setup.daemon.logText.suffix(2000))")
    }

    /// Bodies are refused before they are read (413), so 20 clients sending 16 MiB each cannot
    /// grow the daemon; methods other than GET and HEAD get 405.
    @Test(.enabled(if: ChildDaemon.available && Nginx.available))
    func bodiesAndOtherMethodsAreRefused() throws {
        let setup = try Setup(openFiles: 1024)
        #expect(eventually(30) { try setup.readings() >= 1 }, "the daemon polls: \(setup.daemon.logText)")

        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        let senders = (0..<20).compactMap { _ in RawClient(port: setup.metricsPort) }
        #expect(senders.count == 20)
        for client in senders {
            guard client.send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 16777216\r\n\r\n") else { continue }
            for _ in 0..<15 where client.send(chunk) {}  // all but the last MiB: the request stays incomplete
        }
        let peak = try #require(setup.daemon.peakResidentKiB)
        #expect(peak < 150 * 1024, "peak RSS \(peak / 1024) MiB with 20 bodies of 16 MiB on the way")
        for client in senders.prefix(1) {
            #expect(client.readToEnd().hasPrefix("HTTP/1.1 413"))
        }

        let put = setup.request("PUT /metrics HTTP/1.1", body: "")
        #expect(put.hasPrefix("HTTP/1.1 405"), "\(put)")
        #expect(put.contains("Allow: GET, HEAD"), "\(put)")
        #expect(setup.request("DELETE /healthz HTTP/1.1").hasPrefix("HTTP/1.1 405"))
        #expect(setup.request("GET /metrics HTTP/1.1\r\nContent-Length: 3", body: "abc").hasPrefix("HTTP/1.1 413"))
        let head = setup.request("HEAD /metrics HTTP/1.1")
        #expect(head.hasPrefix("HTTP/1.1 200") && head.hasSuffix("\r\n\r\n"), "\(head)")
        #expect(setup.request("GET /metrics HTTP/1.1").contains("jcm_polls_total"))
    }
}

/// A flag shared with a helper thread.
final class SharedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
