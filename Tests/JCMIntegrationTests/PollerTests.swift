import Foundation
import JCMCore
import JCMCurl
import JCMDaemon
import Logging
import Testing

/// The poller alone against a real HTTP server, no database: every meter polled on its slots, a
/// slow meter never polled twice at once, validators following each response, stop() prompt.
@Suite("poller: scheduling and per-poll state")
struct PollerTests {
    final class Seen: @unchecked Sendable {
        let lock = NSLock()
        var requests: [String: Int] = [:]
        var validators: [String: [String]] = [:]
        var results: [String: [PollResult]] = [:]
        var hitAt: [Date] = []
    }

    /// Runs `targets` for about `seconds`, collecting what was delivered.
    @discardableResult
    static func poll(_ targets: [PollTarget], limits: ConnectionLimits = .init(), seconds: Double, seen: Seen) throws
        -> MeterPoller
    {
        let poller = MeterPoller(targets: targets, limits: limits, logger: Logger(label: "test")) { results in
            seen.lock.withLock { for r in results { seen.results[r.meterID, default: []].append(r) } }
        }
        let done = DispatchSemaphore(value: 0)
        Thread {
            do { try poller.run() } catch { Issue.record("poller: \(error)") }
            done.signal()
        }.start()
        Thread.sleep(forTimeInterval: seconds)
        poller.stop()
        #expect(done.wait(timeout: .now() + 5) == .success, "run() returns soon after stop()")
        return poller
    }

    @Test func everyMeterOfAFleetIsPolledOncePerSlot() throws {
        let seen = Seen()
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            seen.lock.withLock { seen.requests[request.path, default: 0] += 1 }
            return .json(#"{"wh": 1}"#)
        }
        server.start()
        defer { server.stop() }
        let meters = 400
        let targets = (0..<meters).map { i in
            PollTarget(
                meterID: "M\(i)", url: "http://127.0.0.1:\(server.port)/M\(i)",
                schedule: PollSchedule(intervalMs: 1_000, meterID: "M\(i)"),
                connectTimeoutMs: 2_000, timeoutMs: 5_000, maxBytes: 4_096)
        }
        let started = Date()
        try Self.poll(targets, seconds: 3.2, seen: seen)
        let slots = Int(Date().timeIntervalSince(started)) + 1
        seen.lock.withLock {
            #expect(seen.results.count == meters, "every meter delivered")
            for (meter, results) in seen.results {
                #expect(results.allSatisfy { $0.succeeded && $0.body == Array(#"{"wh": 1}"#.utf8) }, "\(meter)")
                #expect(
                    results.count >= 2 && results.count <= slots,
                    "\(meter): \(results.count) polls in \(slots) slots at most")
                #expect(
                    seen.requests["/" + meter, default: 0] == results.count
                        || seen.requests["/" + meter, default: 0] == results.count + 1,
                    "a request without a result is one abandoned at stop")
            }
        }
    }

    @Test func aSlowMeterSkipsSlotsInsteadOfPilingUpRequests() throws {
        let seen = Seen()
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            seen.lock.withLock { seen.requests[request.path, default: 0] += 1 }
            return .json(#"{"wh": 1}"#).delayed(by: 2_500)
        }
        server.start()
        defer { server.stop() }
        let target = PollTarget(
            meterID: "SLOW", url: "http://127.0.0.1:\(server.port)/slow",
            schedule: PollSchedule(intervalMs: 1_000, meterID: "SLOW"),
            connectTimeoutMs: 2_000, timeoutMs: 10_000, maxBytes: 4_096)
        try Self.poll([target], seconds: 6, seen: seen)
        seen.lock.withLock {
            // Six slots went by. Each answer takes 2.5 s, so the slots at +1 s and +2 s of a
            // poll find it running and are skipped: polls start at p, p + 3 s, p + 6 s at most.
            let requests = seen.requests["/slow", default: 0]
            #expect(requests >= 1 && requests <= 3, "\(requests) requests in 6 s")
            #expect((1...2).contains(seen.results["SLOW"]?.count ?? 0))
            #expect(seen.results["SLOW"]?.allSatisfy(\.succeeded) == true)
        }
    }

    @Test func eachPollSendsBackTheValidatorsOfTheLastResponse() throws {
        let seen = Seen()
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            let n = seen.lock.withLock { () -> Int in
                seen.validators[request.path, default: []].append(request.header("If-None-Match") ?? "-")
                seen.requests[request.path, default: 0] += 1
                return seen.requests[request.path]!
            }
            // /e validates by ETag, /m by Last-Modified (a gateway sends one or the other).
            if request.path == "/m" {
                seen.lock.withLock {
                    seen.validators["/m-since", default: []].append(request.header("If-Modified-Since") ?? "-")
                }
                var r = HTTPResponse.json(#"{"wh": \#(n)}"#)
                r.headers.append(("Last-Modified", "Tue, 01 Dec 2026 10:00:0\(n) GMT"))
                return r
            }
            var r = HTTPResponse.json(#"{"wh": \#(n)}"#)
            r.headers.append(("ETag", "\"v\(n)\""))
            return r
        }
        server.start()
        defer { server.stop() }
        let target = PollTarget(
            meterID: "E", url: "http://127.0.0.1:\(server.port)/e",
            schedule: PollSchedule(intervalMs: 1_000, meterID: "E"),
            connectTimeoutMs: 2_000, timeoutMs: 5_000, maxBytes: 4_096, etag: "\"v0\"")
        let dated = PollTarget(
            meterID: "M", url: "http://127.0.0.1:\(server.port)/m",
            schedule: PollSchedule(intervalMs: 1_000, meterID: "M"),
            connectTimeoutMs: 2_000, timeoutMs: 5_000, maxBytes: 4_096)
        try Self.poll([target, dated], seconds: 3.5, seen: seen)
        seen.lock.withLock {
            let sent = seen.validators["/e"] ?? []
            #expect(sent.count >= 3)
            #expect(
                sent == (0..<sent.count).map { "\"v\($0)\"" }, "each poll carries the ETag of the one before: \(sent)")
            #expect(seen.results["E"]?.last?.etag == "\"v\(seen.results["E"]!.count)\"")
            let since = seen.validators["/m-since"] ?? []
            #expect(since.count >= 3)
            #expect(
                since == ["-"] + (1..<max(1, since.count)).map { "Tue, 01 Dec 2026 10:00:0\($0) GMT" },
                "each poll carries the Last-Modified of the one before: \(since)")
            #expect(seen.validators["/m"]?.allSatisfy { $0 == "-" } == true, "no ETag was given, none is sent")
        }
    }

    /// max_connections = 2 against a gateway that takes a second: never more than two requests
    /// reach it at once, the others wait at the poller's gate rather than inside libcurl.
    @Test func noMoreTransfersRunThanTheConnectionLimit() throws {
        let server = try StreamingServer(.slowJSON(delayMs: 1_000))
        defer { server.stop() }
        let targets = (0..<10).map { i in
            PollTarget(
                meterID: "M\(i)", url: "http://127.0.0.1:\(server.port)/M\(i)",
                schedule: PollSchedule(intervalMs: 1_000, meterID: "M\(i)"),
                connectTimeoutMs: 1_000, timeoutMs: 5_000, maxBytes: 4_096)
        }
        let seen = Seen()
        try Self.poll(
            targets, limits: ConnectionLimits(maxConnections: 2, maxConnectionsPerHost: 8), seconds: 3.5, seen: seen)
        // libcurl opens the second connection once the first has told it HTTP/1.1 (PIPEWAIT).
        #expect(server.mostAtOnce == 2, "held at once: \(server.mostAtOnce)")
        #expect(seen.lock.withLock { seen.results.values.joined().filter(\.succeeded).count } >= 2)
    }

    /// A poll whose timeout passes while it waits for a connection fails saying so.
    @Test func aPollThatWaitsPastItsTimeoutForAConnectionFailsSayingSo() throws {
        let server = try StreamingServer(.slowJSON(delayMs: 5_000))
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/"
        // LONG holds the one connection for 3 s; QUICK, due meanwhile, has 100 ms to start.
        let targets = [
            PollTarget(
                meterID: "LONG", url: url, schedule: PollSchedule(intervalMs: 1_000, meterID: "LONG"),
                connectTimeoutMs: 1_000, timeoutMs: 3_000, maxBytes: 4_096),
            PollTarget(
                meterID: "QUICK", url: url, schedule: PollSchedule(intervalMs: 1_000, meterID: "QUICK"),
                connectTimeoutMs: 100, timeoutMs: 100, maxBytes: 4_096),
        ]
        let seen = Seen()
        try Self.poll(
            targets, limits: ConnectionLimits(maxConnections: 1, maxConnectionsPerHost: 1), seconds: 4.5, seen: seen)
        let quick = seen.lock.withLock { seen.results["QUICK"] ?? [] }.compactMap { r -> String? in
            if case .transport(let m)? = r.failure { m } else { nil }
        }
        #expect(
            quick.contains {
                $0.hasPrefix("timed out after")
                    && $0.hasSuffix(
                        "waiting for a connection (max_connections = 1, max_connections_per_host = 1 were busy)")
            },
            "\(quick)")
    }

    /// 60 meters through at most 3 connections: the poller makes 3 handles, not 60, and each
    /// meter is still polled.
    @Test func handlesAreAsManyAsTransfersRunAtOnceNotOnePerMeter() throws {
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { _ in .json(#"{"wh": 1}"#) }
        server.start()
        defer { server.stop() }
        let targets = (0..<60).map { i in
            PollTarget(
                meterID: "M\(i)", url: "http://127.0.0.1:\(server.port)/M\(i)",
                schedule: PollSchedule(intervalMs: 1_000, meterID: "M\(i)"),
                connectTimeoutMs: 1_000, timeoutMs: 5_000, maxBytes: 4_096)
        }
        let seen = Seen()
        let poller = try Self.poll(
            targets, limits: ConnectionLimits(maxConnections: 3, maxConnectionsPerHost: 3), seconds: 2.5, seen: seen)
        #expect((1...3).contains(poller.handleCount), "handles made: \(poller.handleCount)")
        seen.lock.withLock {
            #expect(seen.results.count == 60, "meters polled: \(seen.results.count)")
            #expect(seen.results.values.joined().allSatisfy { $0.succeeded })
        }
    }

    /// Meters with different credentials share one handle in turn (one connection): each request
    /// carries its own meter's credentials and nothing of another's.
    @Test func aSharedHandleCarriesOnlyItsMetersCredentials() throws {
        let seen = Seen()
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in
            seen.lock.withLock {
                let sent = [request.header("Authorization"), request.header("X-API-Key")].map { $0 ?? "-" }.joined(
                    separator: " | ")
                seen.validators[request.path, default: []].append(sent)
            }
            return .json(#"{"wh": 1}"#)
        }
        server.start()
        defer { server.stop() }
        func target(_ id: String, _ credentials: TransferSecurity.Credentials) -> PollTarget {
            var security = TransferSecurity()
            security.credentials = credentials
            return PollTarget(
                meterID: id, url: "http://127.0.0.1:\(server.port)/\(id)",
                schedule: PollSchedule(intervalMs: 1_000, meterID: id),
                connectTimeoutMs: 1_000, timeoutMs: 5_000, maxBytes: 4_096, security: security)
        }
        let targets = [
            target("BASIC", .basic(user: "site", password: "pw")), target("NONE", .none),
            target("KEY", .header(name: "X-API-Key", value: "k1")),
        ]
        let poller = try Self.poll(
            targets, limits: ConnectionLimits(maxConnections: 1, maxConnectionsPerHost: 1), seconds: 3.5, seen: seen)
        #expect(poller.handleCount == 1)
        seen.lock.withLock {
            let basic = "Basic " + Data("site:pw".utf8).base64EncodedString()
            for (path, expected) in [("/BASIC", basic + " | -"), ("/NONE", "- | -"), ("/KEY", "- | k1")] {
                let sent = seen.validators[path] ?? []
                #expect(sent.count >= 3 && sent.allSatisfy { $0 == expected }, "\(path): \(sent)")
            }
        }
    }

    /// A 429 with Retry-After: the next request waits as long as the gateway asked (backoff
    /// alone would come back after 1 s), and the poll is a failure carrying the status. The first
    /// hit comes within 1 s, the second 3 to 4 s later (on the meter's grid), a third not before 6 s.
    @Test func aRateLimitedMeterWaitsOutRetryAfter() throws {
        let seen = Seen()
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { _ in
            seen.lock.withLock { seen.hitAt.append(Date()) }
            var r = HTTPResponse.json(#"{"error": "too many requests"}"#, status: 429)
            r.headers.append(("Retry-After", "3"))
            return r
        }
        server.start()
        defer { server.stop() }
        let target = PollTarget(
            meterID: "RL", url: "http://127.0.0.1:\(server.port)/",
            schedule: PollSchedule(intervalMs: 1_000, meterID: "RL"),
            connectTimeoutMs: 1_000, timeoutMs: 5_000, maxBytes: 4_096)
        try Self.poll([target], seconds: 5.5, seen: seen)
        let at = seen.lock.withLock { seen.hitAt }
        #expect(at.count == 2, "hits in 5.5 s: \(at.count)")
        if at.count >= 2 {
            #expect(
                at[1].timeIntervalSince(at[0]) >= 2.9, "second hit \(at[1].timeIntervalSince(at[0])) s after the first")
        }
        seen.lock.withLock {
            #expect(seen.results["RL"]?.allSatisfy { !$0.succeeded && $0.status == 429 } == true)
        }
    }
}
