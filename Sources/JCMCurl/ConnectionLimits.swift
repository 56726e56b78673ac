/// How many connections the poller's multi handle opens (`[daemon] max_connections`,
/// `max_connections_per_host`), and how many polls the TransferGate lets run at once.
public struct ConnectionLimits: Sendable, Equatable {
    public var maxConnections: Int
    public var maxConnectionsPerHost: Int

    public init(maxConnections: Int = 512, maxConnectionsPerHost: Int = 8) {
        self.maxConnections = maxConnections
        self.maxConnectionsPerHost = maxConnectionsPerHost
    }
}
