import Foundation
import Logging

/// Each connection is a file descriptor, and systemd's default soft limit is 1,024: raised
/// towards the hard limit when `max_connections` needs more, so a large fleet does not fail
/// with "Too many open files" while the hard limit would have allowed it. Where the hard limit
/// is too low, the poller opens fewer connections (`ConnectionLimits.fitting`) rather than run
/// the process out of descriptors.
enum OpenFileLimit {
    /// Descriptors kept for everything else: the database, the spool, watched folders, logs,
    /// and the 64 connections /metrics may hold (MetricsServer.Limits).
    static let reserve = 256 + 64

    /// The limits the poller runs with: `limits`, after raising the soft open-file limit for
    /// them, or fewer connections when the limit cannot be raised far enough.
    static func fit(_ limits: ConnectionLimits, logger: Logger) -> ConnectionLimits {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return limits }
        let wanted = rlim_t(limits.maxConnections + reserve)
        if limit.rlim_cur < wanted {
            let old = limit.rlim_cur
            var raised = limit
            raised.rlim_cur = min(wanted, limit.rlim_max)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 {
                limit = raised
                logger.debug(
                    "open-file limit raised for max_connections",
                    metadata: ["from": "\(old)", "to": "\(raised.rlim_cur)"])
            }
        }
        let openFiles = Int(clamping: limit.rlim_cur)  // RLIM_INFINITY is the largest value: no cap
        let fitted = limits.fitting(openFiles: openFiles, reserve: reserve)
        if fitted != limits {
            logger.warning(
                "the open-file limit is lower than max_connections needs: fewer connections are opened; raise LimitNOFILE",
                metadata: [
                    "limit": "\(limit.rlim_cur)", "reserve": "\(reserve)",
                    "max_connections": "\(limits.maxConnections)",
                    "connections": "\(fitted.maxConnections)",
                ])
        }
        return fitted
    }
}
