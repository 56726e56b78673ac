/// What the /metrics server did on its own, for the daemon to count and log.
public enum MetricsServerEvent: Sendable, Equatable {
    /// accept() failed for want of a resource (EMFILE, ENFILE, ENOBUFS, ENOMEM): NIO pauses
    /// accepting for a second; clients wait in the listen backlog.
    case acceptFailed(errno: Int32)
    /// The least recently active connection was closed to make room (`Limits.maxConnections`).
    case evicted
    /// A request did not arrive whole within `Limits.requestTimeout`.
    case requestTimedOut
    /// No request came within `Limits.idleTimeout` of the previous answer.
    case idleClosed
}
