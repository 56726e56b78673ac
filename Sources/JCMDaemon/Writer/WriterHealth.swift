import Foundation

/// The writer's state as the rest of the daemon reports it: /healthz answers from it and
/// systemd's STATUS= line is made from it (DaemonStatus), rather than from the metrics the writer
/// also sets.
public struct WriterHealth: Sendable, Equatable {
    /// Whether the writer's last attempt reached PostgreSQL.
    public var databaseUp = false
    /// Chains on which nothing more is signed until an operator resolves them.
    public var haltedChains: [String] = []
    /// Meters whose last 3 polls or more all failed.
    public var metersDown = 0
    public var lastCommit: Date?

    public init() {}
}
