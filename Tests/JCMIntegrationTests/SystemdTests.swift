import Foundation
import JCMDaemon
import Testing

@Suite("systemd integration")
struct SystemdTests {
    @Test func notifyReachesTheSocket() throws {
        let dir = TempDir()
        let path = dir.file("notify.sock")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0)
        SystemdNotify.send("READY=1\nSTATUS=testing", environment: ["NOTIFY_SOCKET": path])
        var buffer = [UInt8](repeating: 0, count: 256)
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let n = recv(fd, &buffer, buffer.count, 0)
        #expect(n > 0)
        #expect(String(decoding: buffer.prefix(max(0, n)), as: UTF8.self) == "READY=1\nSTATUS=testing")
    }

    @Test func watchdogIntervalIsHalfOfWhatSystemdAsks() {
        #expect(SystemdNotify.watchdogInterval(environment: ["WATCHDOG_USEC": "60000000"]) == 30)
        #expect(SystemdNotify.watchdogInterval(environment: ["WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "1"]) == nil)
        #expect(SystemdNotify.watchdogInterval(environment: [:]) == nil)
    }

    @Test func databasePasswordComesFromTheCredentialsDirectory() throws {
        let dir = TempDir()
        dir.write("db-password", "s3cret\n")
        let config = try Fixtures.config()
        var withURL = config
        withURL.database.url = "host=db.example dbname=jcm"
        let target = try DatabaseTarget.resolve(
            withURL, logger: TestCluster.logger, environment: ["CREDENTIALS_DIRECTORY": dir.path])
        defer { unsetenv("PGPASSWORD") }
        #expect(String(cString: getenv("PGPASSWORD")) == "s3cret")
        #expect(!target.conninfo.contains("s3cret"))
    }

    /// `systemd-analyze verify` on the shipped unit, with ExecStart pointed at a binary that
    /// exists here (verify checks the path) and everything else as shipped.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")))
    func theUnitVerifies() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let unit = try String(contentsOf: repo.appendingPathComponent("systemd/jcm-ingestd.service"), encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/jcm-ingestd run --config /etc/jcm-ingestd/config.toml"))
        let dir = TempDir()
        dir.write("jcm-ingestd.service", unit.replacingOccurrences(of: "/usr/local/bin/jcm-ingestd", with: "/bin/true"))
        let (status, text) = try Self.analyze(["verify", "--man=no", dir.file("jcm-ingestd.service")])
        #expect(status == 0, "\(text)")
        #expect(!text.contains("jcm-ingestd.service:"), "\(text)")

        // The hardening keeps the exposure score in systemd's "OK" band or better (docs/operations.md).
        let (_, report) = try Self.analyze(["security", "--offline=true", dir.file("jcm-ingestd.service")])
        let score = report.split(separator: "\n").first { $0.contains("Overall exposure level") }
            .flatMap { line in line.split(separator: " ").compactMap { Double($0) }.first }
        #expect(try #require(score, "\(report)") <= 1.5)
        #expect(unit.contains("\nLimitNOFILE=65536\n"), "a descriptor limit above systemd's soft 1,024")
        #expect(
            unit.contains("Type=notify") && unit.contains("WatchdogSec=") && unit.contains("LoadCredential=db-password")
        )
    }

    static func analyze(_ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }
}
