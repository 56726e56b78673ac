import Foundation

/// A small HTTP/1.1 server over POSIX sockets for the integration tests' fake gateways,
/// including misbehaving ones (slow drip, broken framing, delays). Test support only: the
/// daemon's /metrics and `simulate` run on Hummingbird.
///
/// One background thread runs a poll(2) loop over the listener and every
/// connection; the handler is called on that thread, so it must be quick (use
/// `HTTPResponse.delayMilliseconds` to simulate a slow server, never sleep).
public final class HTTPServer: @unchecked Sendable {
    private enum State {
        case idle, running, stopped
    }

    private let loop: HTTPServerLoop
    private let lock = NSLock()
    private var state = State.idle
    private let boundPort: UInt16
    private let address: String

    /// Binds (SO_REUSEADDR) and listens; port 0 picks a free port.
    /// Throws `HTTPServerError` naming host:port on failure.
    public init(
        host: String, port: UInt16, options: HTTPServerOptions = HTTPServerOptions(),
        handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    ) throws {
        let listener = try HTTPServerSocket.listen(host: host, port: port, backlog: HTTPServerLimits.listenBacklog)
        let wake: (read: Int32, write: Int32)
        do {
            wake = try HTTPServerSocket.makeWakePipe()
        } catch {
            close(listener)
            throw error
        }
        boundPort = HTTPServerSocket.boundPort(listener)
        address = HTTPServerError.formatAddress(host: host, port: boundPort)
        loop = HTTPServerLoop(listener: listener, wake: wake, options: options, handler: handler)
    }

    /// The bound port (the kernel's choice when 0 was requested).
    public var port: UInt16 { boundPort }

    /// Starts serving on a background thread. Calling it again, or after stop(), does nothing:
    /// a stopped server has closed its socket and cannot be restarted.
    public func start() {
        lock.lock()
        defer { lock.unlock() }
        guard state == .idle else { return }
        state = .running
        loop.markStarted()
        let loop = self.loop
        // The thread captures only the loop, never self, so dropping the last
        // reference to the server still reaches deinit and stops it.
        let thread = Thread { loop.run() }
        thread.name = "http-server \(address)"
        thread.start()
    }

    /// Stops serving, closes every socket and waits for the server thread to end.
    /// Idempotent; safe from any thread, including a handler (then it does not wait).
    public func stop() {
        lock.lock()
        let previous = state
        state = .stopped
        lock.unlock()
        switch previous {
        case .idle:
            loop.closeWithoutRunning()
        case .running:
            loop.requestStop()
            loop.waitUntilFinished()
        case .stopped:
            // A concurrent stop() may still be tearing down; return only once it is done.
            loop.waitUntilFinished()
        }
    }

    deinit {
        stop()
    }
}
