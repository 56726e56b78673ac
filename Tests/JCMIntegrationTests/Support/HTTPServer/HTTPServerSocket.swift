import Glibc

/// Thin POSIX socket helpers for the HTTP server. Kept apart from the loop so
/// the loop reads as protocol logic, not errno plumbing.
enum HTTPServerSocket {
    /// Binds and listens on the first address `host` resolves to.
    /// SO_REUSEADDR lets tests and the simulator restart on a port still in TIME_WAIT.
    static func listen(host: String, port: UInt16, backlog: Int32) throws -> Int32 {
        let address = HTTPServerError.formatAddress(host: host, port: port)

        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc =
            host.isEmpty
            ? getaddrinfo(nil, String(port), &hints, &list)
            : getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw HTTPServerError.cannotResolve(address: address, reason: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(list) }

        // Try every resolved address; report the last failure if none works.
        var lastError = HTTPServerError.cannotResolve(address: address, reason: "no usable address")
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 {
                lastError = .cannotListen(address: address, call: "socket", code: errno)
                continue
            }
            var on: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
            if bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
                lastError = .cannotListen(address: address, call: "bind", code: errno)
                close(fd)
                continue
            }
            if Glibc.listen(fd, backlog) != 0 {
                lastError = .cannotListen(address: address, call: "listen", code: errno)
                close(fd)
                continue
            }
            if !setNonBlocking(fd) {
                lastError = .cannotListen(address: address, call: "fcntl", code: errno)
                close(fd)
                continue
            }
            return fd
        }
        throw lastError
    }

    /// The port the kernel actually bound (differs from the request when it was 0).
    static func boundPort(_ fd: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return 0 }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
        default:
            return 0
        }
    }

    /// Accepts one pending connection as a non-blocking, close-on-exec socket.
    /// Returns the fd, or -1 with errno set (EAGAIN when the backlog is empty).
    static func accept(_ listener: Int32) -> Int32 {
        // Plain accept + fcntl: Glibc's Swift overlay does not export accept4 (it needs _GNU_SOURCE).
        let fd = Glibc.accept(listener, nil, nil)
        if fd >= 0 {
            setNonBlocking(fd)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            // Replies go out in one send(); disabling Nagle avoids 40 ms stalls when
            // pipelined replies leave in several segments and meet delayed ACKs.
            var on: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        return fd
    }

    @discardableResult
    static func setNonBlocking(_ fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0
    }

    /// A non-blocking self-pipe: stop() writes a byte so poll() returns at once
    /// instead of waiting out its timeout.
    static func makeWakePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw HTTPServerError.cannotCreateWakePipe(code: errno) }
        for fd in fds {
            setNonBlocking(fd)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        return (fds[0], fds[1])
    }

    /// Monotonic milliseconds: timeouts must not jump when the wall clock is stepped.
    static func monotonicMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
