import Foundation
import JCMCore
import JCMCurl
import Logging
import Synchronization

/// The writer's link to the backfiller: the gaps it found go one way, to the backfiller (or are
/// kept for the next one), and the backfiller's answers come back as jobs. The writer calls
/// `request`, `retry` and `done` after its commits; the sources call `attach` and `detach` as they
/// start and stop.
final class WriterBackfill: Sendable {
    private struct State {
        var backfiller: Backfiller?
        /// Gaps a stopped backfiller had not finished, for the next one (a reload).
        var leftover: [BackfillGap] = []
        /// Every gap asked for and not yet written whole, as `pendingFile` holds them for the next
        /// start: those a stop or a crash interrupted, and those whose history request failed.
        var outstanding: [BackfillGap] = []
    }
    private let state: Mutex<State>
    private let pendingFile: String?
    private let logger: Logger

    /// - Parameter pendingFile: where gaps outlive the process (PendingGaps); nil keeps them in memory.
    init(pendingFile: String?, logger: Logger) {
        self.pendingFile = pendingFile
        self.logger = logger
        var gaps: [BackfillGap] = []
        if let pendingFile, let data = FileManager.default.contents(atPath: pendingFile) {
            if let decoded = PendingGaps.decode(data) {
                gaps = decoded
            } else {
                logger.error(
                    "backfill: the file of pending gaps does not read as one; left as it is, those gaps are not asked for",
                    metadata: ["file": "\(pendingFile)"])
            }
        }
        state = Mutex(State(leftover: gaps, outstanding: gaps))
        if !gaps.isEmpty, let pendingFile {
            logger.notice(
                "backfill: gaps left by the last run are asked for again",
                metadata: ["gaps": "\(gaps.count)", "file": "\(pendingFile)"])
        }
    }

    func attach(_ b: Backfiller) {
        state.withLock { s in
            s.backfiller = b
            for gap in s.leftover { b.request(gap) }
            s.leftover = []
        }
    }

    func detach() {
        state.withLock { s in
            s.leftover += s.backfiller?.stop() ?? []
            s.backfiller = nil
        }
    }

    func request(_ gaps: [BackfillGap]) {
        guard !gaps.isEmpty else { return }
        state.withLock { s in
            s.outstanding += gaps
            save(s.outstanding)
            guard let backfiller = s.backfiller else {
                s.leftover += gaps
                return
            }
            for gap in gaps { backfiller.request(gap) }
        }
    }

    /// A request of `gap` failed: it is asked for again later (and stays outstanding meanwhile).
    func retry(_ gap: BackfillGap) {
        state.withLock { s in
            guard let backfiller = s.backfiller else {
                s.leftover.append(gap)
                return
            }
            backfiller.retry(gap)
        }
    }

    /// Every part of `gap` is written: the gaps it covers are done. The Backfiller may have
    /// merged several into it, or cut its start at the horizon, but its end is theirs.
    func done(_ gap: BackfillGap) {
        state.withLock { s in
            let before = s.outstanding.count
            s.outstanding.removeAll {
                $0.meterID == gap.meterID && $0.window.through <= gap.window.through
                    && $0.window.through > gap.window.after
            }
            if s.outstanding.count != before { save(s.outstanding) }
        }
    }

    /// Writes `outstanding` to `pendingFile` (removed when there is none), with the lock held:
    /// two saves never interleave.
    private func save(_ outstanding: [BackfillGap]) {
        guard let pendingFile else { return }
        do {
            if outstanding.isEmpty {
                if FileManager.default.fileExists(atPath: pendingFile) {
                    try FileManager.default.removeItem(atPath: pendingFile)
                }
                return
            }
            try FileManager.default.createDirectory(
                atPath: (pendingFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try PendingGaps.encode(outstanding).write(to: URL(fileURLWithPath: pendingFile), options: .atomic)
        } catch {
            logger.warning(
                "backfill: pending gaps could not be kept; a restart forgets them",
                metadata: ["file": "\(pendingFile)", "error": "\(error)"])
        }
    }
}
