import Foundation
import JCMDaemon

/// A loopback port nothing listens on (bound, read, released): for a server started next, or
/// for a meter whose connection must be refused.
func freePort() throws -> UInt16 {
    let server = try HTTPServer(host: "127.0.0.1", port: 0) { _ in .text("") }
    let port = server.port
    server.stop()
    return port
}

/// Whether something accepts connections on the loopback port: a child server is up.
func canConnect(_ port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = port.bigEndian
    return withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

extension Process {
    /// Runs a tool to its end, its output discarded; its exit status, or -1 when it cannot start.
    static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}

/// A self-signed certificate and its key (PEM) for 127.0.0.1: a gateway's, or a client's.
func makeCertificate(_ cert: String, key: String, commonName: String = "127.0.0.1") -> Bool {
    Process.run(
        "/usr/bin/openssl",
        [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
            "-subj", "/CN=\(commonName)", "-addext", "subjectAltName=IP:127.0.0.1",
        ]) == 0
}
