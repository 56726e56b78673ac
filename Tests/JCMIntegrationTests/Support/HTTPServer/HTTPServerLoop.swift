import Foundation
import Glibc

/// The poll(2) event loop behind `HTTPServer`: the listening socket, a wake-up
/// pipe and every connection share one thread and one poll set.
///
/// poll rather than select because select cannot see fds above 1023, and the
/// simulator serves thousands of keep-alive connections. The loop owns all
/// sockets; only `requestStop`, `waitUntilFinished` and `closeWithoutRunning`
/// are called from other threads, and they go through `lifecycle`.
final class HTTPServerLoop: @unchecked Sendable {
    private let listener: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let handler: @Sendable (HTTPRequest) -> HTTPResponse
    private let options: HTTPServerOptions

    // Server-thread state.
    private var connections: [HTTPServerConnection] = []
    private var pollSet: [pollfd] = []
    private var delayedCount = 0
    private var nextSweepAt: Int64 = 0
    private var acceptPausedUntil: Int64?
    private var dateHeader = HTTPDateHeader()
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    // Cross-thread state, guarded by `lifecycle`.
    private let lifecycle = NSCondition()
    private var stopRequested = false
    private var running = false
    private var finished = false
    private var loopThread: pthread_t?

    init(
        listener: Int32, wake: (read: Int32, write: Int32), options: HTTPServerOptions,
        handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    ) {
        self.listener = listener
        self.options = options
        self.wakeRead = wake.read
        self.wakeWrite = wake.write
        self.handler = handler
    }

    deinit {
        scratch.deallocate()
    }

    // MARK: - Cross-thread control

    /// Marks the loop as started before its thread exists, so a stop() racing
    /// with start() still waits for the thread.
    func markStarted() {
        lifecycle.lock()
        running = true
        lifecycle.unlock()
    }

    func requestStop() {
        lifecycle.lock()
        defer { lifecycle.unlock() }
        stopRequested = true
        // Written under the lock: the loop closes the pipe under the same lock, so
        // this can never hit a closed (or reused) descriptor.
        guard !finished else { return }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)  // EAGAIN means a wake-up is already pending: fine.
    }

    /// Blocks until run() has closed every socket. Returns at once when called on
    /// the loop thread itself (a handler calling stop()), which would deadlock.
    func waitUntilFinished() {
        lifecycle.lock()
        defer { lifecycle.unlock() }
        if let thread = loopThread, pthread_equal(thread, pthread_self()) != 0 { return }
        while running && !finished { lifecycle.wait() }
    }

    /// For a server that was never started.
    func closeWithoutRunning() {
        lifecycle.lock()
        defer { lifecycle.unlock() }
        guard !running, !finished else { return }
        finished = true
        closeFileDescriptors()
    }

    // MARK: - The loop

    func run() {
        lifecycle.lock()
        loopThread = pthread_self()
        let stopAlready = stopRequested
        lifecycle.unlock()

        if !stopAlready {
            while iterate() {}
        }

        for connection in connections { connection.close() }
        connections = []
        lifecycle.lock()
        closeFileDescriptors()
        finished = true
        lifecycle.broadcast()
        lifecycle.unlock()
    }

    /// One poll round. Returns false when asked to stop.
    private func iterate() -> Bool {
        let before = HTTPServerSocket.monotonicMilliseconds()
        buildPollSet(now: before)
        let ready = poll(&pollSet, nfds_t(pollSet.count), pollTimeout(now: before))
        if ready < 0 {
            // EINTR: a signal arrived; anything else (ENOMEM) is transient enough to retry.
            if errno != EINTR { usleep(1000) }
            return true
        }
        let now = HTTPServerSocket.monotonicMilliseconds()

        if pollSet[0].revents != 0 {
            drainWakePipe()
            lifecycle.lock()
            let stop = stopRequested
            lifecycle.unlock()
            if stop { return false }
        }
        // Connections accepted below are appended past this range, so indices stay aligned.
        let polled = connections.count
        for index in 0..<polled {
            let revents = pollSet[index + 2].revents
            if revents != 0 { service(connections[index], revents: revents, now: now) }
        }
        if pollSet[1].revents != 0 { acceptPending(now: now) }
        runTimers(now: now)
        connections.removeAll { $0.isClosed }
        return true
    }

    private func buildPollSet(now: Int64) {
        pollSet.removeAll(keepingCapacity: true)
        pollSet.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
        if let until = acceptPausedUntil, until > now {
            pollSet.append(pollfd(fd: -1, events: 0, revents: 0))  // negative fds are ignored by poll
        } else {
            acceptPausedUntil = nil
            pollSet.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0))
        }
        for connection in connections {
            pollSet.append(pollfd(fd: connection.fd, events: connection.pollEvents, revents: 0))
        }
    }

    /// Sleeps until the next delayed reply, idle sweep or accept back-off ends;
    /// forever when there is nothing timed to do.
    private func pollTimeout(now: Int64) -> Int32 {
        var deadline: Int64?
        func consider(_ instant: Int64) { deadline = min(deadline ?? instant, instant) }
        if delayedCount > 0 {
            for connection in connections { if let reply = connection.delayed { consider(reply.dueAt) } }
        }
        if !connections.isEmpty { consider(nextSweepAt) }
        if let until = acceptPausedUntil { consider(until) }
        guard let deadline else { return -1 }
        return Int32(clamping: max(0, deadline - now))
    }

    // MARK: - Connections

    private func acceptPending(now: Int64) {
        if connections.isEmpty { nextSweepAt = now + 1000 }
        for _ in 0..<1024 {  // bounded so a connect storm cannot starve existing clients
            let fd = HTTPServerSocket.accept(listener)
            if fd >= 0 {
                makeRoom()
                connections.append(HTTPServerConnection(fd: fd, now: now, maxBodyBytes: options.maxBodyBytes))
                continue
            }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO:
                continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                options.onEvent?(.acceptFailed(errno: errno))
                acceptPausedUntil = now + HTTPServerLimits.acceptBackoffMilliseconds
                return
            default:  // EAGAIN: backlog empty
                return
            }
        }
    }

    /// At `maxConnections`, closes the connection that has been quiet longest: a crowd of idle or
    /// trickling clients then churns through the slots instead of keeping a scraper out.
    private func makeRoom() {
        guard options.maxConnections < Int.max else { return }
        var open = 0
        var quietest: HTTPServerConnection?
        for connection in connections where !connection.isClosed {
            open += 1
            if quietest.map({ connection.lastActivity < $0.lastActivity }) ?? true { quietest = connection }
        }
        guard open >= options.maxConnections, let quietest else { return }
        close(quietest)
        options.onEvent?(.evicted)
    }

    private func service(_ connection: HTTPServerConnection, revents: Int16, now: Int64) {
        // POLLHUP means both directions are gone (or we already half-closed and got
        // the peer's FIN): nothing left to deliver either way.
        if revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 {
            close(connection)
            return
        }
        if revents & Int16(POLLIN) != 0 {
            guard connection.readAvailable(scratch: scratch, now: now) else {
                close(connection)
                return
            }
        }
        advance(connection, now: now)
    }

    /// Runs every request that is ready, writes, and decides whether to close.
    private func advance(_ connection: HTTPServerConnection, now: Int64) {
        if connection.lingerUntil != nil {
            if connection.readClosed { close(connection) }
            return
        }
        dispatchRequests(connection, now: now)
        guard connection.flush(now: now) else {
            close(connection)
            return
        }
        guard connection.bufferedOutput == 0, connection.delayed == nil else { return }
        if connection.closeAfterFlush {
            connection.beginClose(now: now)
        } else if connection.readClosed {
            // FIN with nothing pending; a partial request left behind can never complete.
            close(connection)
        }
    }

    private func dispatchRequests(_ connection: HTTPServerConnection, now: Int64) {
        while !connection.closeAfterFlush && connection.delayed == nil
            && connection.bufferedOutput < HTTPServerLimits.maxBufferedOutputBytes
        {
            switch connection.nextStep(now: now) {
            case .needMore:
                return
            case .sendContinue:
                connection.enqueue(HTTPResponseEncoder.continueInterim)
            case .failure(let error):
                connection.enqueue(
                    HTTPResponseEncoder.protocolError(
                        status: error.status, message: error.message, date: dateHeader.current()))
                connection.closeAfterFlush = true
            case .request(let request, let keepAlive):
                let response = handler(request)
                let keep = keepAlive && !HTTPResponseEncoder.handlerRequestsClose(response)
                let bytes = HTTPResponseEncoder.encode(
                    response, requestMethod: request.method, keepAlive: keep, date: dateHeader.current())
                if response.delayMilliseconds > 0 {
                    connection.delayed = .init(
                        bytes: bytes, dueAt: now + Int64(response.delayMilliseconds), keepAlive: keep)
                    delayedCount += 1
                } else {
                    connection.enqueue(bytes)
                    if !keep { connection.closeAfterFlush = true }
                }
            }
        }
    }

    /// Releases delayed replies that are due and, once a second, closes idle
    /// connections and finished lingering closes.
    private func runTimers(now: Int64) {
        let sweep = now >= nextSweepAt
        if sweep { nextSweepAt = now + 1000 }
        guard delayedCount > 0 || sweep else { return }
        for connection in connections where !connection.isClosed {
            if let reply = connection.delayed, reply.dueAt <= now {
                connection.delayed = nil
                delayedCount -= 1
                connection.enqueue(reply.bytes)
                if !reply.keepAlive { connection.closeAfterFlush = true }
                advance(connection, now: now)
            }
            guard sweep, !connection.isClosed else { continue }
            if let until = connection.lingerUntil {
                if now >= until { close(connection) }
            } else if connection.delayed == nil,
                now - connection.lastActivity >= options.idleTimeoutMilliseconds
            {
                close(connection)
                options.onEvent?(.idleClosed)
            } else if let limit = options.requestTimeoutMilliseconds, let started = connection.requestStartedAt,
                connection.delayed == nil, !connection.closeAfterFlush, now - started >= limit
            {
                close(connection)
                options.onEvent?(.requestTimedOut)
            }
        }
    }

    private func close(_ connection: HTTPServerConnection) {
        guard !connection.isClosed else { return }
        if connection.delayed != nil {
            connection.delayed = nil
            delayedCount -= 1
        }
        connection.close()
    }

    // MARK: - Descriptors

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    /// Caller holds `lifecycle`.
    private func closeFileDescriptors() {
        Glibc.close(listener)
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }
}
