import Foundation
import JCMCore

/// What the daemon says of itself: systemd's STATUS= line and /healthz's answer, made from the
/// services' own state (the writer's health, the spool, the intake), not from the metrics.
struct DaemonStatus: Sendable {
    var writer = WriterHealth()
    var polled = 0
    var folders = 0
    var backlog = 0
    var spoolBytes = 0
    var spoolAge = 0.0
    var pollingPaused = false
    var nothingConfigured = false

    /// /healthz: the writer's last attempt reached PostgreSQL and no ledger chain is halted.
    var health: MetricsServer.Health {
        if !writer.databaseUp { return .unavailable("database unavailable") }
        let halted = writer.haltedChains.count
        return halted == 0
            ? .ok : .unavailable("degraded: \(halted) ledger chains halted (a head this daemon did not write)")
    }

    func line(now: Date = Date()) -> String {
        if nothingConfigured { return "STATUS=" + Config.nothingConfiguredMessage }
        let down = writer.metersDown
        var text =
            "STATUS=polling \(polled) meters (\(polled - down) up, \(down) down), watching \(folders) folders, \(backlog) jobs waiting to be written"
        if !writer.databaseUp { text += ", DATABASE UNAVAILABLE" }
        if spoolBytes > 0 { text += ", spool \(spoolBytes / 1024) KiB (\(Int(spoolAge)) s)" }
        if pollingPaused { text += ", POLLING PAUSED (spool full)" }
        if !writer.haltedChains.isEmpty {
            text +=
                ", LEDGER HALTED for \(writer.haltedChains.joined(separator: " ")) (a head this daemon did not write: see the log)"
        }
        if let last = writer.lastCommit { text += ", last commit \(Int(now.timeIntervalSince(last))) s ago" }
        return text
    }
}
