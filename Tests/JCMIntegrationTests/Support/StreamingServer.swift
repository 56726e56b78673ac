import Foundation

/// A gateway that answers every request with a head and then body bytes until the client hangs
/// up: a meter that declares 5 GB, or streams chunks without end. HTTPServer cannot (it sends
/// whole bodies). Counts what it managed to send, so a test can tell the client cut it short.
final class StreamingServer: @unchecked Sendable {
    enum Body {
        /// `Content-Length: bytes`, then that many bytes (or until the client hangs up).
        case declared(bytes: Int64)
        /// `Transfer-Encoding: chunked`, chunks of `chunk` bytes, never a last chunk.
        case endlessChunks(chunk: Int)
        /// A small JSON body after `delayMs`, for each request of a keep-alive connection:
        /// counts how many requests it holds at once (an abandoned one too, until its delay ends).
        case slowJSON(delayMs: Int)
    }

    let port: UInt16
    private let fd: Int32
    private let lock = NSLock()
    private var sent: Int64 = 0
    private var connections = 0
    private var holding = 0, mostHeld = 0

    /// Bytes of body sent over all connections, and connections served.
    var bodyBytesSent: Int64 { lock.withLock { sent } }
    var connectionsServed: Int { lock.withLock { connections } }
    /// The most requests held at once (`slowJSON`).
    var mostAtOnce: Int { lock.withLock { mostHeld } }

    init(_ body: Body) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard bound, listen(fd, 8) == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        port = UInt16(bigEndian: addr.sin_port)
        Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                lock.withLock { connections += 1 }
                Thread { self.serve(client, body) }.start()
            }
        }.start()
    }

    private func serve(_ client: Int32, _ body: Body) {
        defer { close(client) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        _ = read(client, &buffer, buffer.count)
        let filler = Array(repeating: UInt8(ascii: " "), count: 64 * 1024)
        // send(MSG_NOSIGNAL): once the client hangs up, a write would raise SIGPIPE and kill
        // the test process; the failed send is the end of this connection.
        func send(_ bytes: ArraySlice<UInt8>) -> Bool {
            bytes.withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) == $0.count }
        }
        switch body {
        case .declared(let total):
            let start = Array("{\"wh\": 1, \"pad\": \"".utf8)
            guard
                send(
                    Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(total)\r\n\r\n".utf8)[
                        ...]),
                send(start[...])
            else { return }
            var left = total - Int64(start.count)
            while left > 0 {
                let n = Int(min(left, Int64(filler.count)))
                guard send(filler[..<n]) else { return }
                left -= Int64(n)
                lock.withLock { sent += Int64(n) }
            }
        case .slowJSON(let delay):
            // Keep-alive, one request at a time per connection, as a small gateway does.
            var pending = true
            while pending {
                lock.withLock {
                    holding += 1
                    mostHeld = max(mostHeld, holding)
                }
                Thread.sleep(forTimeInterval: Double(delay) / 1_000)
                lock.withLock { holding -= 1 }
                let body = #"{"wh": 1}"#
                guard
                    send(
                        Array(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                                .utf8)[...])
                else { return }
                pending = read(client, &buffer, buffer.count) > 0
            }
        case .endlessChunks(let size):
            guard
                send(
                    Array(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)[
                            ...])
            else { return }
            let chunk =
                Array(String(size, radix: 16).utf8) + [13, 10] + Array(repeating: UInt8(ascii: " "), count: size) + [
                    13, 10,
                ]
            while send(chunk[...]) { lock.withLock { sent += Int64(size) } }
        }
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
