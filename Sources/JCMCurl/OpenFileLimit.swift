import Foundation
import Logging

/// Each connection is a file descriptor, and systemd's default soft limit is 1,024: raised
/// towards the hard limit when `max_connections` needs more, so a large fleet does not fail
/// with "Too many open files" while the hard limit would have allowed it.
enum OpenFileLimit {
    /// Descriptors kept for everything else: the database, the spool, watched folders, logs,
    /// and the 64 connections /metrics may hold (MetricsServer.Limits).
    static let reserve: rlim_t = 256 + 64

    static func raise(toFit connections: Int, logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let wanted = rlim_t(connections) + reserve
        guard limit.rlim_cur < wanted else { return }
        let old = limit.rlim_cur
        limit.rlim_cur = min(wanted, limit.rlim_max)
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 || limit.rlim_cur < wanted {
            logger.warning(
                "the open-file limit is lower than max_connections needs; raise LimitNOFILE or lower max_connections",
                metadata: ["limit": "\(limit.rlim_max)", "wanted": "\(wanted)", "max_connections": "\(connections)"])
        } else {
            logger.debug(
                "open-file limit raised for max_connections", metadata: ["from": "\(old)", "to": "\(limit.rlim_cur)"])
        }
    }
}
