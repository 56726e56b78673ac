import Foundation

/// A real nginx from Debian's package, on loopback, as a child of the test: one process (daemon
/// off, master_process off), its configuration, pid, temporary files and logs under `dir`.
/// `http` is what goes inside its `http { }` block; it listens where that says (on `port`).
final class Nginx {
    let dir: String
    private let process = Process()

    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") }

    struct DidNotStart: Error, CustomStringConvertible {
        var log: String
        var description: String { "nginx did not start: \(log)" }
    }

    init(dir: String, port: UInt16, http: String) throws {
        self.dir = dir
        try FileManager.default.createDirectory(atPath: "\(dir)/tmp", withIntermediateDirectories: true)
        try """
        daemon off;
        master_process off;
        worker_processes 1;
        \(getuid() == 0 ? "user root;" : "")
        pid \(dir)/nginx.pid;
        error_log \(dir)/error.log warn;
        events { worker_connections 64; }
        http {
            client_body_temp_path \(dir)/tmp/body;
            proxy_temp_path \(dir)/tmp/proxy;
            fastcgi_temp_path \(dir)/tmp/fastcgi;
            uwsgi_temp_path \(dir)/tmp/uwsgi;
            scgi_temp_path \(dir)/tmp/scgi;
        \(http)
        }

        """.write(toFile: "\(dir)/nginx.conf", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", dir, "-c", "\(dir)/nginx.conf", "-e", "\(dir)/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        guard eventually(10, { canConnect(port) }) else {
            stop()
            throw DidNotStart(log: (try? String(contentsOfFile: "\(dir)/error.log", encoding: .utf8)) ?? "")
        }
    }

    func stop() {
        // SIGKILL: a child inherits the signals blocked in the test process, SIGTERM among them.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}
