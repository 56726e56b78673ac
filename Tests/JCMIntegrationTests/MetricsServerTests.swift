import Foundation
import JCMDaemon
import Testing

/// `MetricsServer` (Hummingbird) in process, on a free port, with its health from a closure and
/// small limits, over raw sockets: what it answers, and which connections it closes and counts.
/// MetricsServerAttackTests runs the same server inside a daemon under attack.
@Suite("metrics server")
struct MetricsServerTests {
    final class HealthBox: @unchecked Sendable {
        private let lock = NSLock()
        private var stored = MetricsServer.Health.ok
        var value: MetricsServer.Health {
            get { lock.withLock { stored } }
            set { lock.withLock { stored = newValue } }
        }
    }

    static func start(
        _ metrics: Metrics, health: HealthBox = HealthBox(), limits: MetricsServer.Limits = .init()
    ) throws -> BackgroundServer {
        try BackgroundServer("/metrics") { onRunning in
            MetricsServer(
                host: "127.0.0.1", port: 0, metrics: metrics, health: { health.value }, limits: limits,
                logger: .init(label: "test"), onRunning: onRunning
            )
        }
    }

    @Test func answersMetricsHealthAndRefusesWhatIsNotARead() throws {
        let metrics = Metrics()
        metrics.add("jcm_polls_total", ["result": "ok"], 3)
        metrics.set("jcm_database_up", 1)
        let health = HealthBox()
        let server = try Self.start(metrics, health: health)
        defer { server.stop() }
        let c = try BlockingHTTPConnection(port: server.port)

        let page = try c.request("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(page.status == 200)
        #expect(page.header("content-type") == "text/plain; version=0.0.4; charset=utf-8")
        #expect(page.bodyText.contains("# TYPE jcm_polls_total counter\n"), "\(page.bodyText)")
        #expect(page.bodyText.contains("# HELP jcm_polls_total Meter polls by result"), "\(page.bodyText)")
        #expect(page.bodyText.contains(#"jcm_polls_total{result="ok"} 3"# + "\n"), "\(page.bodyText)")
        #expect(page.bodyText.contains("jcm_database_up 1.0\n"), "\(page.bodyText)")

        #expect(try c.request("GET /healthz HTTP/1.1\r\n\r\n").bodyText == "ok\n")
        health.value = .unavailable("database unavailable")
        let down = try c.request("GET /healthz HTTP/1.1\r\n\r\n")
        #expect(down.status == 503 && down.bodyText == "database unavailable\n")
        #expect(try c.request("GET /nope HTTP/1.1\r\n\r\n").status == 404)

        let put = try c.request("PUT /metrics HTTP/1.1\r\n\r\n")
        #expect(put.status == 405 && put.header("allow") == "GET, HEAD")
        // A body is refused before it is read, and the connection closed after the answer.
        let post = try c.request("POST /metrics HTTP/1.1\r\nContent-Length: 1000000\r\n\r\nabc")
        #expect(post.status == 413)
        #expect(c.peerClosed())
    }

    @Test func aConnectionBeyondTheLimitClosesTheLeastRecentlyActive() throws {
        let metrics = Metrics()
        var limits = MetricsServer.Limits()
        limits.maxConnections = 2
        let server = try Self.start(metrics, limits: limits)
        defer { server.stop() }
        let quiet = try BlockingHTTPConnection(port: server.port)
        try quiet.send("GET /metrics HTTP/1.1\r\n")  // an unfinished head: never active
        // The server takes connections on two event loops, so two opened at once may register in
        // either order: this one must be the oldest, as it would be with a scraper's pace.
        Thread.sleep(forTimeInterval: 0.5)
        let first = try BlockingHTTPConnection(port: server.port)
        #expect(try first.request("GET /healthz HTTP/1.1\r\n\r\n").status == 200)
        let second = try BlockingHTTPConnection(port: server.port)
        #expect(try second.request("GET /healthz HTTP/1.1\r\n\r\n").status == 200)
        #expect(quiet.peerClosed())
        #expect(try first.request("GET /healthz HTTP/1.1\r\n\r\n").status == 200)
        #expect(metrics.value("jcm_metrics_connections_closed_total", ["reason": "evicted"]) == 1)
    }

    @Test func slowAndSilentConnectionsAreClosedAndCounted() throws {
        let metrics = Metrics()
        var limits = MetricsServer.Limits()
        limits.requestTimeout = .milliseconds(300)
        limits.idleTimeout = .milliseconds(300)
        let server = try Self.start(metrics, limits: limits)
        defer { server.stop() }
        let trickler = try BlockingHTTPConnection(port: server.port)
        try trickler.send("GET /metrics HTTP/1.1\r\nX-a: b\r\n")
        #expect(trickler.peerClosed())
        let idle = try BlockingHTTPConnection(port: server.port)
        #expect(try idle.request("GET /healthz HTTP/1.1\r\n\r\n").status == 200)
        #expect(idle.peerClosed())
        #expect(
            eventually(5) {
                metrics.value("jcm_metrics_connections_closed_total", ["reason": "request_timeout"]) == 1
                    && metrics.value("jcm_metrics_connections_closed_total", ["reason": "idle"]) == 1
            })
    }
}
