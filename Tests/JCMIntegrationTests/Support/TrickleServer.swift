import Foundation

/// A gateway that answers a request with headers and then one byte a second: what a slow or
/// half-dead device does. HTTPServer cannot do this on purpose (it never sleeps).
final class TrickleServer: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard bound, listen(fd, 8) == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        port = UInt16(bigEndian: addr.sin_port)
        Thread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                Thread {
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    _ = read(client, &buffer, buffer.count)
                    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                    // send(MSG_NOSIGNAL): once the client hangs up, a write would raise SIGPIPE
                    // and kill the test process.
                    _ = head.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                    for _ in 0..<60 {
                        if send(client, "{", 1, Int32(MSG_NOSIGNAL)) < 0 { break }
                        Thread.sleep(forTimeInterval: 1)
                    }
                    close(client)
                }.start()
            }
        }.start()
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
