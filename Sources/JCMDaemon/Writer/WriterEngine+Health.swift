import Foundation

/// The writer's health, kept where the daemon reads it (WriterShared.health) and mirrored in
/// the metrics a scraper reads; set together so the two cannot disagree.
extension WriterEngine {
    func noteDatabase(up: Bool) {
        shared.update { $0.databaseUp = up }
        metrics.set("jcm_database_up", up ? 1 : 0)
    }

    func noteCommit() {
        let now = Date()
        shared.update {
            $0.databaseUp = true
            $0.lastCommit = now
        }
        metrics.set("jcm_last_commit_timestamp_seconds", now.timeIntervalSince1970)
        metrics.set("jcm_database_up", 1)
    }

    func noteMetersDown() {
        let down = health.downCount
        shared.update { $0.metersDown = down }
        metrics.set("jcm_meters_down", Double(down))
    }
}
