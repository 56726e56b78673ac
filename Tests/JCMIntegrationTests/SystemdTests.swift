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
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        #expect(bound == 0)
        SystemdNotify.send("READY=1\nSTATUS=testing", environment: ["NOTIFY_SOCKET": path])
        var buffer = [UInt8](repeating: 0, count: 256)
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let n = recv(fd, &buffer, buffer.count, 0)
        #expect(n > 0)
        #expect(String(decoding: buffer.prefix(max(0, n)), as: UTF8.self) == "READY=1\nSTATUS=testing")
    }

    /// `systemd-analyze verify` on the shipped unit, with ExecStart pointed at a binary that
    /// exists here (verify checks the path) and everything else as shipped.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")))
    func theUnitVerifies() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let unit = try String(contentsOf: repo.appendingPathComponent("systemd/jcm-ingestd.service"), encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/jcm-ingestd run --config /etc/jcm-ingestd/config.toml"))
        let dir = TempDir()
        dir.write("jcm-ingestd.service", unit.replacingOccurrences(of: "/usr/local/bin/jcm-ingestd", with: "/bin/true"))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        p.arguments = ["verify", "--man=no", dir.file("jcm-ingestd.service")]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(!text.contains("jcm-ingestd.service:"), "\(text)")
    }
}
