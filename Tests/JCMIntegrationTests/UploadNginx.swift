import Foundation
import JCMDaemon

/// A real nginx from Debian's package, on loopback, as a child of the test: one process
/// (master_process off, daemon off), its configuration and logs in a temporary folder. Each
/// location serves a subfolder of `root`: `/NAME/` with `autoindex_format json`, `/NAME/` with
/// the HTML index, as asked; a location in `passwords` asks for basic authentication.
final class UploadNginx {
    let root: String
    let port: UInt16
    private let process = Process()

    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") }

    init(json: [String], html: [String], passwords: [String: (user: String, password: String)] = [:]) throws {
        var template = Array("/tmp/jcm-nginx-XXXXXX".utf8CString)
        root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        chmod(root, 0o755)
        port = try freePort()
        var locations = ""
        for (names, format) in [(json, "autoindex_format json;"), (html, "")] {
            for name in names {
                try FileManager.default.createDirectory(atPath: "\(root)/www/\(name)", withIntermediateDirectories: true)
                var auth = ""
                if let p = passwords[name] {
                    // nginx reads {PLAIN} passwords in its user file: no htpasswd tool needed.
                    try "\(p.user):{PLAIN}\(p.password)\n".write(toFile: "\(root)/\(name).users", atomically: true, encoding: .utf8)
                    auth = "auth_basic \"uploads\"; auth_basic_user_file \(root)/\(name).users;"
                }
                locations += "        location /\(name)/ { alias \(root)/www/\(name)/; autoindex on; \(format) \(auth) }\n"
            }
        }
        try FileManager.default.createDirectory(atPath: "\(root)/tmp", withIntermediateDirectories: true)
        let conf = """
            daemon off;
            master_process off;
            worker_processes 1;
            \(getuid() == 0 ? "user root;" : "")
            pid \(root)/nginx.pid;
            error_log \(root)/error.log warn;
            events { worker_connections 64; }
            http {
                access_log \(root)/access.log;
                client_body_temp_path \(root)/tmp/body;
                proxy_temp_path \(root)/tmp/proxy;
                fastcgi_temp_path \(root)/tmp/fastcgi;
                uwsgi_temp_path \(root)/tmp/uwsgi;
                scgi_temp_path \(root)/tmp/scgi;
                server {
                    listen 127.0.0.1:\(port);
            \(locations)    }
            }

            """
        try conf.write(toFile: "\(root)/nginx.conf", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", root, "-c", "\(root)/nginx.conf", "-e", "\(root)/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        guard eventually(10, { canConnect(port) }) else {
            stop()
            throw NginxDidNotStart(log: (try? String(contentsOfFile: "\(root)/error.log", encoding: .utf8)) ?? "")
        }
    }

    struct NginxDidNotStart: Error, CustomStringConvertible {
        var log: String
        var description: String { "nginx did not start: \(log)" }
    }

    /// The folder a location serves.
    func folder(_ name: String) -> String { "\(root)/www/\(name)" }

    /// Writes a file atomically (as an uploader should: a temporary name, then a rename), with
    /// the given mtime so that nginx's listing and validators change with each version.
    @discardableResult
    func put(_ location: String, _ name: String, _ text: String, mtime: time_t) -> String {
        let path = "\(folder(location))/\(name)"
        let temp = "\(folder(location))/.\(name).tmp"
        _ = FileManager.default.createFile(atPath: temp, contents: Data(text.utf8))
        var times = [timespec(tv_sec: mtime, tv_nsec: 0), timespec(tv_sec: mtime, tv_nsec: 0)]
        utimensat(AT_FDCWD, temp, &times, 0)
        rename(temp, path)
        return path
    }

    /// Requests nginx answered for `path` with a 200, from its access log.
    func served(_ path: String) -> Int { answered(path, status: 200) }

    func answered(_ path: String, status: Int) -> Int {
        let log = (try? String(contentsOfFile: "\(root)/access.log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").filter { $0.contains("\"GET \(path) HTTP/1.1\" \(status) ") }.count
    }

    func stop() {
        // SIGKILL: a child inherits the signals blocked in the test process, SIGTERM among them.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: root)
    }
}

