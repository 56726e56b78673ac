import Foundation
import JCMDaemon

/// An upload server: nginx (Nginx) with its files in a temporary folder. Each location serves a
/// subfolder of `root`: `/NAME/` with `autoindex_format json`, `/NAME/` with
/// the HTML index, as asked; a location in `passwords` asks for basic authentication.
final class UploadNginx {
    let root: String
    let port: UInt16
    private let nginx: Nginx

    static var available: Bool { Nginx.available }

    init(json: [String], html: [String], passwords: [String: (user: String, password: String)] = [:]) throws {
        var template = Array("/tmp/jcm-nginx-XXXXXX".utf8CString)
        root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        chmod(root, 0o755)
        port = try freePort()
        var locations = ""
        for (names, format) in [(json, "autoindex_format json;"), (html, "")] {
            for name in names {
                try FileManager.default.createDirectory(
                    atPath: "\(root)/www/\(name)", withIntermediateDirectories: true)
                var auth = ""
                if let p = passwords[name] {
                    // nginx reads {PLAIN} passwords in its user file: no htpasswd tool needed.
                    try "\(p.user):{PLAIN}\(p.password)\n".write(
                        toFile: "\(root)/\(name).users", atomically: true, encoding: .utf8)
                    auth = "auth_basic \"uploads\"; auth_basic_user_file \(root)/\(name).users;"
                }
                locations +=
                    "        location /\(name)/ { alias \(root)/www/\(name)/; autoindex on; \(format) \(auth) }\n"
            }
        }
        nginx = try Nginx(
            dir: root, port: port,
            http: """
                    access_log \(root)/access.log;
                    server {
                        listen 127.0.0.1:\(port);
                \(locations)    }
                """)
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

    func stop() { nginx.stop() }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: root)
    }
}
