/// How many connections the poller's multi handle opens (`[daemon] max_connections`,
/// `max_connections_per_host`), and how many polls the TransferGate lets run at once.
public struct ConnectionLimits: Sendable, Equatable {
    public var maxConnections: Int
    public var maxConnectionsPerHost: Int

    public init(maxConnections: Int = 512, maxConnectionsPerHost: Int = 8) {
        self.maxConnections = maxConnections
        self.maxConnectionsPerHost = maxConnectionsPerHost
    }

    /// These limits within `openFiles` descriptors, `reserve` of them kept for the rest of the
    /// process: each connection is a descriptor, and a process at the open-file limit can open
    /// no spool segment nor report (they wait). At least one connection, so a daemon under a
    /// tiny limit still polls.
    public func fitting(openFiles: Int, reserve: Int) -> ConnectionLimits {
        let room = max(1, openFiles - reserve)
        guard room < maxConnections else { return self }
        return ConnectionLimits(maxConnections: room, maxConnectionsPerHost: min(maxConnectionsPerHost, room))
    }
}
