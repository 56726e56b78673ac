import Foundation

/// `jcm-ingestd run` as a child process, as systemd runs it, with at most `openFiles` file
/// descriptors (prlimit): for attacks that exhaust a resource of the whole process, which an
/// in-process daemon would share with the tests running beside it. Its log lands in `log`.
final class ChildDaemon {
    let process = Process()
    let log: String

    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit")
    }

    /// - Parameter environment: added to the test's own (NOTIFY_SOCKET, WATCHDOG_USEC, …).
    init(config: String, dir: TempDir, openFiles: Int = 1024, environment: [String: String] = [:]) throws {
        let path = dir.write("daemon.toml", config)
        log = dir.file("daemon.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        process.arguments = ["--nofile=\(openFiles):\(openFiles)", CommandLineTests.binary, "run", "--config", path]
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
    }

    var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// The child's peak resident memory in KiB (VmHWM), nil once it is gone.
    var peakResidentKiB: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return line.flatMap { Int($0.split(separator: " ")[1]) }
    }

    /// SIGTERM, as systemd stops it; SIGKILL after 30 s.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// A raw TCP client on loopback, for requests no HTTP library would send. Its descriptor never
/// changes, and send(2) may be called from any thread.
final class RawClient: @unchecked Sendable {
    let fd: Int32

    init?(port: UInt16) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if !ok {
            close(fd)
            return nil
        }
    }

    deinit { close(fd) }

    /// False once the server has closed the connection (or reset it).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Everything the server sends until it closes (or 20 s of silence).
    func readToEnd() -> String {
        var all: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            all += buffer[0..<n]
        }
        return String(decoding: all, as: UTF8.self)
    }
}
