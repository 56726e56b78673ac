import Foundation
import JCMCore
import JCMPostgres
import Testing

/// A chain halted on a foreign head is loud, from the built binary as systemd runs it: the log
/// line, the metric, /healthz degraded, and STATUS= on systemd's notify socket (the test's own).
@Suite("a halted chain is loud", .serialized)
struct HaltLoudTests {
    /// A datagram socket standing in for systemd's NOTIFY_SOCKET; what the daemon sent so far.
    final class NotifySocket {
        let path: String
        let fd: Int32
        private(set) var messages: [String] = []

        init(path: String) throws {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let bound = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            try #require(fd >= 0 && bound == 0)
        }

        deinit { close(fd) }

        /// Takes every datagram waiting, without blocking.
        func drain() -> [String] {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if n <= 0 { break }
                messages.append(String(decoding: buffer.prefix(n), as: UTF8.self))
            }
            return messages
        }
    }

    func get(_ port: UInt16, _ path: String) -> String {
        guard let client = RawClient(port: port) else { return "" }
        client.send("GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return client.readToEnd()
    }

    @Test(.enabled(if: ChildDaemon.available))
    func aForeignHeadDegradesHealthzSetsTheMetricLogsAndTellsSystemd() throws {
        let (owner, ingest) = try ForeignLinkTests.ingestRole()
        let dir = TempDir()
        let incoming = dir.file("incoming")
        try FileManager.default.createDirectory(atPath: incoming, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.file("state"), withIntermediateDirectories: true)
        let notify = try NotifySocket(path: dir.file("notify.sock"))
        let port = try freePort()
        let daemon = try ChildDaemon(
            config: """
                [database]
                url = "\(ingest)"
                [metrics]
                listen = "127.0.0.1:\(port)"
                [daemon]
                state_dir = "\(dir.file("state"))"
                [[project]]
                id = "IN-JP-0001"
                methodology = "IN_AM001 ver01.0"
                [[meter]]
                id = "R-1"
                project = "IN-JP-0001"
                parameter = "EG_p"
                kind = "cumulative"
                unit = "kWh"
                [[watch]]
                dir = "\(incoming)"
                """, dir: dir,
            // A status every second (half of WATCHDOG_USEC), not every ten.
            environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "2000000"])
        defer { daemon.stop() }

        func readings() -> Int { Int((try? scalar(owner, "select count(*) from jcm.readings")) ?? nil ?? "0") ?? 0 }
        _ = dir.write("incoming/a.csv", "meter_id,timestamp,value,unit\nR-1,2026-11-01T10:00:00Z,100,kWh\n")
        #expect(eventually(60) { readings() == 1 }, "\(daemon.logText)")
        #expect(get(port, "/healthz").contains("\r\n\r\nok\n"))
        #expect(eventually(30) { notify.drain().contains { $0.hasPrefix("READY=1") } })

        // An insider's unsigned link on top of the chain, then another file: the daemon halts it.
        _ = try ForeignLinkTests.forge(ingest, project: "IN-JP-0001", meter: "R-1")
        _ = dir.write("incoming/b.csv", "meter_id,timestamp,value,unit\nR-1,2026-11-01T11:00:00Z,150,kWh\n")
        #expect(eventually(60) { daemon.logText.contains("ledger chain halted") }, "\(daemon.logText)")
        #expect(
            eventually(30) { get(port, "/healthz").contains("503") },
            "\(get(port, "/healthz"))")
        #expect(get(port, "/healthz").contains("degraded: 1 ledger chains halted"))
        #expect(
            get(port, "/metrics").contains("\njcm_ledger_chains_halted 1.0\n"), "a gauge, as swift-prometheus prints it"
        )
        #expect(get(port, "/metrics").contains("\njcm_ledger_halts_total 1\n"))
        #expect(
            eventually(30) {
                notify.drain().contains {
                    $0.contains("STATUS=") && $0.contains("LEDGER HALTED for IN-JP-0001")
                }
            }, "\(notify.messages.suffix(3))")
        #expect(readings() == 2, "the forged reading is there, b.csv is held, nothing signed on top")
        daemon.stop()
        #expect(notify.drain().contains { $0.contains("STOPPING=1") })
    }
}
