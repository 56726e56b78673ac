/// What one `HTTPServer` allows its clients. The defaults suit the simulator and the tests'
/// fake gateways (thousands of keep-alive connections, uploads); `metrics` is the daemon's own
/// endpoint, which anyone who can reach the port may hit and must not be able to starve the
/// daemon of memory or file descriptors.
public struct HTTPServerOptions: Sendable {
    /// Open connections at most. A connection accepted beyond it closes the least recently
    /// active one, so an idle or trickling crowd cannot lock out a scraper and the descriptors
    /// the server holds stay bounded.
    public var maxConnections = Int.max
    /// Request bodies above this are answered with 413 before they are read (0: no body at all).
    public var maxBodyBytes = HTTPServerLimits.maxBodyBytes
    /// A connection with no traffic for this long is closed.
    public var idleTimeoutMilliseconds: Int64 = HTTPServerLimits.idleTimeoutMilliseconds
    /// A request (head and body) must arrive whole within this long of its first byte, or of the
    /// connection's start: bytes trickled to keep a connection alive (slowloris) do not reset it.
    /// nil: only the idle timeout applies.
    public var requestTimeoutMilliseconds: Int64?
    /// Called on the server's thread for what the server does on its own (must be quick).
    public var onEvent: (@Sendable (HTTPServerEvent) -> Void)?

    public init() {}

    /// `/metrics` and `/healthz`: bodiless GETs from a handful of scrapers.
    public static func metrics(onEvent: (@Sendable (HTTPServerEvent) -> Void)? = nil) -> HTTPServerOptions {
        var options = HTTPServerOptions()
        options.maxConnections = 64
        options.maxBodyBytes = 0
        options.idleTimeoutMilliseconds = 15_000
        options.requestTimeoutMilliseconds = 10_000
        options.onEvent = onEvent
        return options
    }
}

/// What the server did on its own, for the caller to count and log.
public enum HTTPServerEvent: Sendable, Equatable {
    /// accept() failed for want of a resource (EMFILE, ENFILE, ENOBUFS, ENOMEM): the server
    /// pauses accepting briefly; clients wait in the listen backlog.
    case acceptFailed(errno: Int32)
    /// The least recently active connection was closed to make room (`maxConnections`).
    case evicted
    /// A request did not arrive whole within `requestTimeoutMilliseconds`.
    case requestTimedOut
    /// A connection stayed silent for `idleTimeoutMilliseconds`.
    case idleClosed
}
