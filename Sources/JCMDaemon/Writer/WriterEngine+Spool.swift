import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Logging

/// The spool drained a group of polls at a time.
extension WriterEngine {
    /// Spool records written per transaction: one commit (one WAL flush) for many polls.
    static let spoolGroup = 1024
    /// Once caught up, the spool is drained at most this often. A transaction costs about as much
    /// as a hundred polls' rows, so writing each handful of polls as it arrives would spend most
    /// of the writer's time on transactions; this adds at most as much to a poll's lag.
    static let gatherSeconds = 0.1

    /// Writes every spooled poll from the cursor on. The cursor moves, and segments are deleted,
    /// only after a commit; a failure leaves both where they were, to be tried again.
    func drainSpool(group: Int = WriterEngine.spoolGroup) throws {
        guard let spool, var cursor = spoolCursor else { return }
        if let caughtUp = caughtUpAt {
            let wait = caughtUp.timeIntervalSinceNow + Self.gatherSeconds
            if wait > 0, !queue.isClosed { Thread.sleep(forTimeInterval: wait) }
        }
        caughtUpAt = nil
        shared.takeSpooledJob()
        while true {
            let (entries, next) = spool.read(from: cursor, max: group)
            var items: [(PollResult, String?)] = []
            for e in entries {
                if let result = PollResult(spoolPayload: e.payload) {
                    items.append((result, e.ref))
                } else {
                    setAside(e, why: "the record does not decode as a poll result (another version, or damage)")
                }
            }
            if !items.isEmpty { try writePolls(items) }
            cursor = next
            spoolCursor = next
            spool.release(upTo: next)
            if entries.count < group {
                caughtUpAt = Date()
                return
            }
            if shared.pastDrainDeadline {
                logger.notice(
                    "stopping with polls still spooled; they are written at the next start",
                    metadata: ["spool.bytes": "\(spool.bytes)"])
                return
            }
        }
    }

    /// The database refused a group of spooled polls for good (after retries): write them one by
    /// one, so only a record it refuses on its own is set aside.
    func setAsideSpooled(error: Error) {
        guard let spool, var cursor = spoolCursor else { return }
        for entry in spool.read(from: cursor, max: Self.spoolGroup).entries {
            do {
                guard let result = PollResult(spoolPayload: entry.payload) else {
                    throw Spool.Failure.io("undecodable record", errno: 0)
                }
                try writePolls([(result, entry.ref)])
            } catch {
                // not this record's fault: tried again later
                if let e = error as? PostgresError, !e.isPermanent { return }
                setAside(entry, why: "\(error)")
            }
            cursor = entry.next
            spoolCursor = cursor
            spool.release(upTo: cursor)
        }
    }

    /// Keeps a spool record the database will not take in `spool/refused/`, and says so.
    func setAside(_ entry: Spool.Entry, why: String) {
        guard let spool else { return }
        let dir = spool.directory + "/refused"
        let path = dir + "/" + entry.ref.replacingOccurrences(of: "/", with: "-") + ".record"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(entry.payload).write(to: URL(fileURLWithPath: path))
            logger.error(
                "spooled poll refused by the database; set aside",
                metadata: ["spool.record": "\(entry.ref)", "error": "\(why)", "kept.at": "\(path)"])
        } catch {
            logger.critical(
                "spooled poll refused and could not be set aside",
                metadata: ["spool.record": "\(entry.ref)", "error": "\(why)"])
        }
    }

    /// Shutting down with the database away: say what stays safe and what is lost.
    func stopUnwritten(_ job: IngestWriter.Job, error: Error) {
        var inMemory = 0
        var reports = 0
        var pending: IngestWriter.Job? = job
        while let j = pending {
            switch j {
            case .poll: inMemory += 1
            case .report: reports += 1
            case .spooled, .reconfigure, .backfill: break
            }
            pending = queue.pop()
        }
        let spooled = spool.map { $0.bytes } ?? 0
        let metadata: Logger.Metadata = [
            "error": "\(error)", "spool.bytes": "\(spooled)", "reports.waiting": "\(reports)",
            "polls.lost": "\(inMemory)",
        ]
        if inMemory > 0 {
            logger.critical(
                "stopping with the database unavailable; polls held in memory (the spool could not take them) are lost",
                metadata: metadata)
        } else {
            logger.warning(
                "stopping with the database unavailable; spooled polls and waiting reports are written at the next start",
                metadata: metadata)
        }
    }
}
