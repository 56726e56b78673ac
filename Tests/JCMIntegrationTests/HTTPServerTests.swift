import Foundation
import Testing

@testable import JCMDaemon

#if canImport(Glibc)
    import Glibc
#endif

/// The meter simulator as `simulate` serves it (Hummingbird), and the tests' own HTTP server
/// (Support/HTTPServer, for fake gateways), exercised over real loopback sockets with a
/// hand-written blocking client: the point is to see the exact bytes on the wire, which
/// URLSession would hide (and it pools connections, so keep-alive could not be asserted).
@Suite("HTTP server and meter simulator")
struct HTTPServerTests {
    @Test("GET /meters/1 returns the reading as JSON")
    func meterReading() throws {
        let clock = SteppedClock(seconds: 1_795_688_130.123)  // 2026-11-26T10:15:30.123Z
        let fixture = try SimulatorFixture(meters: 5, clock: clock)
        defer { fixture.server.stop() }

        let connection = try BlockingHTTPConnection(port: fixture.server.port)
        let response = try connection.request("GET /meters/1 HTTP/1.1\r\nHost: test\r\n\r\n")

        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        #expect(response.header("date")?.hasSuffix(" GMT") == true)
        let object = try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(object["meter"] as? String == "SIM-0001")
        #expect(object["ts"] as? String == "2026-11-26T10:15:30.123Z")
        let energy = try #require(object["energy"] as? [String: Any])
        #expect(energy["total_wh"] is NSNumber)
        let power = try #require((object["power_w"] as? NSNumber)?.doubleValue)
        #expect((1_000...50_000).contains(power))
        // Exactly three decimals, never exponent notation.
        let text = response.bodyText
        let totalText = try #require(text.range(of: #""total_wh":[0-9]+\.[0-9]{3}\}"#, options: .regularExpression))
        #expect(!text[totalText].contains("e"))
    }

    @Test("the counter advances with the injected clock and never goes back")
    func counterFollowsClock() throws {
        let clock = SteppedClock(seconds: 1_800_000_000)
        let fixture = try SimulatorFixture(meters: 3, clock: clock)
        defer { fixture.server.stop() }
        let connection = try BlockingHTTPConnection(port: fixture.server.port)

        let first = try connection.reading(meter: 3)
        clock.advance(by: 3_600)
        let second = try connection.reading(meter: 3)
        // One hour at constant power P watts adds exactly P Wh.
        #expect(abs((second.totalWh - first.totalWh) - first.powerW) < 0.0005)
        #expect(second.ts != first.ts)

        clock.advance(by: -7_200)  // a wall clock stepped back must not rewind the meter
        let third = try connection.reading(meter: 3)
        #expect(third.totalWh == second.totalWh)
    }

    @Test("unknown meters and paths are 404, other methods 405")
    func errors() throws {
        let fixture = try SimulatorFixture(meters: 2, clock: SteppedClock(seconds: 1_800_000_000))
        defer { fixture.server.stop() }
        let connection = try BlockingHTTPConnection(port: fixture.server.port)

        for path in ["/meters/0", "/meters/3", "/meters/abc", "/nope"] {
            let response = try connection.request("GET \(path) HTTP/1.1\r\nHost: test\r\n\r\n")
            #expect(response.status == 404, "\(path)")
            #expect(response.bodyText.contains("error"), "\(path)")
        }
        let post = try connection.request("POST /meters/1 HTTP/1.1\r\nHost: test\r\nContent-Length: 2\r\n\r\n{}")
        #expect(post.status == 405)
        #expect(post.header("allow") == "GET, HEAD")

        let root = try connection.request("GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        #expect(root.bodyText == #"{"meters":2}"#)
        let health = try connection.request("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        #expect(health.status == 200 && health.bodyText == "ok")
    }

    @Test("keep-alive: two requests on one socket; Connection: close ends it")
    func keepAlive() throws {
        let fixture = try SimulatorFixture(meters: 2, clock: SteppedClock(seconds: 1_800_000_000))
        defer { fixture.server.stop() }
        let connection = try BlockingHTTPConnection(port: fixture.server.port)

        let first = try connection.request("GET /meters/1 HTTP/1.1\r\nHost: test\r\n\r\n")
        let second = try connection.request("GET /meters/2 HTTP/1.1\r\nHost: test\r\n\r\n")
        #expect(first.status == 200 && second.status == 200)
        #expect(second.bodyText.contains("SIM-0002"))

        let last = try connection.request("GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        #expect(last.status == 200)
        #expect(connection.peerClosed())
    }

    @Test("pipelined requests are answered in order")
    func pipelining() throws {
        let fixture = try SimulatorFixture(meters: 2, clock: SteppedClock(seconds: 1_800_000_000))
        defer { fixture.server.stop() }
        let connection = try BlockingHTTPConnection(port: fixture.server.port)

        try connection.send("GET /meters/2 HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n")
        #expect(try connection.readResponse().bodyText.contains("SIM-0002"))
        #expect(try connection.readResponse().bodyText == "ok")
        #expect(try connection.readResponse().bodyText == #"{"meters":2}"#)
    }

    @Test("a delayed reply does not hold up other connections")
    func delayedReply() throws {
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            request.path == "/slow" ? HTTPResponse.text("slow").delayed(by: 1_500) : .text("fast")
        }
        server.start()
        defer { server.stop() }

        let started = Date()
        let slow = try BlockingHTTPConnection(port: server.port)
        try slow.send("GET /slow HTTP/1.1\r\n\r\n")
        let fast = try BlockingHTTPConnection(port: server.port)
        #expect(try fast.request("GET /fast HTTP/1.1\r\n\r\n").bodyText == "fast")
        #expect(Date().timeIntervalSince(started) < 1.0)

        #expect(try slow.readResponse().bodyText == "slow")
        #expect(Date().timeIntervalSince(started) >= 1.4)
    }

    @Test("malformed requests and oversized heads get 400 and the connection closed")
    func malformed() throws {
        let fixture = try SimulatorFixture(meters: 1, clock: SteppedClock(seconds: 1_800_000_000))
        defer { fixture.server.stop() }

        let garbage = try BlockingHTTPConnection(port: fixture.server.port)
        let bad = try garbage.request("this is not http\r\n\r\n")
        #expect(bad.status == 400)
        #expect(bad.header("connection") == "close")

        let huge = try BlockingHTTPConnection(port: fixture.server.port)
        let tooLarge = try huge.request("GET / HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 70_000))\r\n\r\n")
        // SwiftNIO's decoder refuses a head over 64 KiB as malformed (the hand-written server said 431).
        #expect(tooLarge.status == 400)
        #expect(huge.peerClosed())
    }

    @Test("stop() is idempotent and releases the port; a taken port names host:port")
    func lifecycle() throws {
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { _ in .text("x") }
        server.start()
        let port = server.port
        #expect(port != 0)

        #expect(throws: HTTPServerError.self) {
            try HTTPServer(host: "127.0.0.1", port: port) { _ in .text("y") }
        }
        do {
            _ = try HTTPServer(host: "127.0.0.1", port: port) { _ in .text("y") }
        } catch {
            #expect("\(error)".contains("127.0.0.1:\(port)"))
        }

        // The simulator on Hummingbird names the address it could not take, too.
        do {
            _ = try SimulatorFixture(meters: 1, clock: SteppedClock(seconds: 0), port: port)
            Issue.record("a second server on port \(port) started")
        } catch {
            #expect("\(error)".contains("127.0.0.1:\(port)"), "\(error)")
        }

        let open = try BlockingHTTPConnection(port: port)
        #expect(try open.request("GET / HTTP/1.1\r\n\r\n").bodyText == "x")
        server.stop()
        server.stop()
        #expect(open.peerClosed())  // stop() closes live keep-alive connections too
        #expect(throws: (any Error).self) { try BlockingHTTPConnection(port: port) }
    }

    @Test("dropping the last reference stops the server")
    func deinitStops() throws {
        var port: UInt16 = 0
        do {
            let server = try HTTPServer(host: "127.0.0.1", port: 0) { _ in .text("x") }
            server.start()
            port = server.port
            #expect(try BlockingHTTPConnection(port: port).request("GET / HTTP/1.1\r\n\r\n").status == 200)
        }
        #expect(throws: (any Error).self) { try BlockingHTTPConnection(port: port) }
    }
}

// MARK: - Fixtures

/// A clock tests can step; the simulator reads it through `now`.
private final class SteppedClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: Double

    init(seconds: Double) { self.seconds = seconds }

    var now: Double {
        lock.lock()
        defer { lock.unlock() }
        return seconds
    }

    func advance(by delta: Double) {
        lock.lock()
        seconds += delta
        lock.unlock()
    }
}

/// The simulator on a free port, served as `jcm-ingestd simulate` serves it.
private struct SimulatorFixture {
    let server: BackgroundServer

    init(meters: Int, clock: SteppedClock, port: UInt16 = 0) throws {
        let simulator = MeterSimulator(meters: meters, startedAt: clock.now, now: { clock.now })
        server = try BackgroundServer("the simulator on 127.0.0.1:\(port)") { onRunning in
            SimulatorServer(
                simulator: simulator, host: "127.0.0.1", port: Int(port), onRunning: onRunning
            )
        }
    }
}

struct TestClientError: Error, CustomStringConvertible {
    var description: String
}

struct RawResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.name == name.lowercased() }?.value
    }
}

struct MeterReading {
    var ts: String
    var totalWh: Double
    var powerW: Double
}

/// A blocking loopback HTTP/1.1 client that speaks raw bytes, with a receive
/// timeout so a server bug fails the test instead of hanging it.
final class BlockingHTTPConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []

    /// The socket is the object's only once connected: a failed init closes it here and deinit
    /// (which runs for a fully initialised object whose init throws) must not close it again,
    /// as by then the number may be another test's listener.
    init(port: UInt16) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestClientError(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw TestClientError(description: "connect to 127.0.0.1:\(port): errno \(code)")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            guard n > 0 else { throw TestClientError(description: "send: errno \(errno)") }
            sent += n
        }
    }

    func request(_ text: String) throws -> RawResponse {
        try send(text)
        return try readResponse()
    }

    func reading(meter: Int) throws -> MeterReading {
        let response = try request("GET /meters/\(meter) HTTP/1.1\r\nHost: test\r\n\r\n")
        guard response.status == 200,
            let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let ts = object["ts"] as? String,
            let energy = object["energy"] as? [String: Any],
            let total = (energy["total_wh"] as? NSNumber)?.doubleValue,
            let power = (object["power_w"] as? NSNumber)?.doubleValue
        else { throw TestClientError(description: "unexpected reply: \(response.bodyText)") }
        return MeterReading(ts: ts, totalWh: total, powerW: power)
    }

    /// Reads one response framed by Content-Length.
    func readResponse() throws -> RawResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            if let range = buffer.firstRange(of: separator) {
                headEnd = range.upperBound
            } else if try !fill() {
                throw TestClientError(description: "connection closed before a response head")
            }
        }
        let headText = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw TestClientError(description: "bad status line in \(headText)")
        }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = Int(headers.first { $0.name == "content-length" }?.value ?? "0") ?? 0
        while buffer.count < headEnd! + length {
            guard try fill() else { throw TestClientError(description: "connection closed inside a body") }
        }
        let body = Array(buffer[headEnd!..<(headEnd! + length)])
        buffer.removeFirst(headEnd! + length)
        return RawResponse(status: status, headers: headers, body: body)
    }

    /// True once the server has closed its side (recv returns 0).
    func peerClosed() -> Bool {
        (try? fill()) == false
    }

    /// Appends whatever arrives; false on EOF.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n > 0 {
                buffer += chunk[..<n]
                return true
            }
            if n == 0 { return false }
            if errno == EINTR { continue }
            throw TestClientError(description: "recv: errno \(errno)")
        }
    }
}
