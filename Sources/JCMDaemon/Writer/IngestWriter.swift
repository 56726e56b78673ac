import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Logging
import Synchronization

/// The one thread that writes to PostgreSQL. Sources hand it jobs; it owns the connection, the
/// validator's state and the order of writes. It starts first and stops last: on shutdown it
/// drains what the sources already handed over.
///
/// Its state is in two places the compiler checks: `engine` (a Mutex<WriterEngine>), what only
/// the writing uses, taken for one job at a time; and `shared` (WriterShared), the few small
/// things other threads hand over or read. Jobs arrive through `queue`.
public final class IngestWriter: Sendable {
    public enum Job: Sendable {
        /// New records in the spool: write everything from the cursor on.
        case spooled
        /// A poll result held in memory only (no spool, or the spool could not take it).
        case poll(PollResult)
        /// A report file to ingest. `origin` is set for a file the upload poller downloaded
        /// (its URL becomes the batch's provenance), nil for a watched folder's or `ingest`'s.
        case report(path: String, watch: Config.Watch, origin: ReportOrigin?)
        /// A reloaded configuration: mirrored into the database, meters re-read, in the order of
        /// the jobs around it.
        case reconfigure(Config)
        /// A history response the Backfiller fetched for a gap (WriterEngine+Backfill.swift).
        case backfill(BackfillResult)
    }

    let logger: Logger
    let queue = JobQueue<Job>()
    let metrics: Metrics
    let spool: Spool?
    let backfill: WriterBackfill
    let shared = WriterShared()
    let engine: Mutex<WriterEngine>

    /// - Parameter pendingGaps: where gaps not yet backfilled are kept across restarts (the
    ///   daemon's PendingGaps.path); nil keeps them in memory only.
    public init(
        conninfo: String, config: Config, logger: Logger, metrics: Metrics = Metrics(), spool: Spool? = nil,
        pendingGaps: String? = nil
    ) {
        self.logger = logger
        self.metrics = metrics
        self.spool = spool
        let backfill = WriterBackfill(pendingFile: pendingGaps, logger: logger)
        self.backfill = backfill
        engine = Mutex(
            WriterEngine(
                conninfo: conninfo, config: config, logger: logger, metrics: metrics, spool: spool, queue: queue,
                backfill: backfill, shared: shared))
        if spool != nil { queue.push(.spooled) }
    }

    /// Called once a report has left the watched folder (or was given up), with the origin its
    /// job carried. Set from the main thread (at start and reload), called from the writer's.
    public var onReportDone: @Sendable (String, ReportOrigin?) -> Void {
        get { shared.reportDone }
        set { shared.reportDone = newValue }
    }

    public func submit(_ job: Job) {
        if case .report(let path, _, _?) = job { shared.submitted(download: path) }
        queue.push(job)
    }

    /// New records in the spool. One `.spooled` job waiting is enough: it drains everything, so
    /// the intake's appends do not pile up jobs while the writer gathers (drainSpool).
    func spooled() {
        if shared.spooled() { queue.push(.spooled) }
    }

    /// Whether a downloaded report at `path` is waiting to be ingested (or being ingested).
    public func isDownloadPending(_ path: String) -> Bool { shared.isDownloadPending(path) }

    public var backlog: Int { queue.count }

    /// Connects, migrates, mirrors the configuration and loads validator state. Throws when
    /// the database cannot be reached, so a misconfigured daemon fails at start.
    public func prepare() throws { try engine.withLock { try $0.prepare() } }

    /// The ETag and Last-Modified each meter last answered with (from jcm.meter_state, then
    /// from every poll written), for the poller to send back, across restarts and reloads.
    public var validatorsByMeter: [String: (etag: String?, lastModified: String?)] {
        shared.validators.mapValues { ($0.etag, $0.lastModified) }
    }

    /// The chain heads this writer may extend, kept across reconnects (WriterEngine+Halts.swift).
    public var chainHeads: ChainHeadGuard? { shared.chainHeads }

    /// The chains halted now (for /healthz and systemd's STATUS=).
    public var haltedChains: [String] { shared.chainHeads?.halted.keys.sorted() ?? [] }

    /// How often halted chains are checked again for a resolution.
    public var recheckSeconds: Double {
        get { shared.recheckSeconds }
        set { shared.recheckSeconds = newValue }
    }

    /// Stops once every job handed over before this call is written, or once `drainSeconds`
    /// have passed: then what is safe elsewhere (the spool, reports still in their folder) is
    /// left for the next start, so a stop fits in systemd's TimeoutStopSec. Polls held only in
    /// memory are always written.
    public func finish(drainSeconds: Double = 20) {
        shared.drain(until: Date() + drainSeconds)
        queue.close()
    }

    /// Writes the jobs as they come, until `finish`. The engine is taken for one job at a time;
    /// the waits between retries are made outside it.
    public func run() {
        defer { engine.withLock { $0.stopped() } }
        while let job = queue.pop() {
            switch engine.withLock({ $0.handle(job) }) {
            case .next: continue
            case .retry(let delay): Thread.sleep(forTimeInterval: delay)
            case .stop: return
            }
        }
    }

    /// One transaction for all the polls (WriterEngine+Polls.swift).
    func writePolls(_ items: [(result: PollResult, spoolRecord: String?)]) throws {
        try engine.withLock { try $0.writePolls(items) }
    }

    /// A signed checkpoint of each chain this writer moved, when one is due (or `force`).
    func checkpointIfDue(force: Bool = false) throws {
        try engine.withLock { try $0.checkpointIfDue(force: force) }
    }

<<<<<<< HEAD
    /// How many polls the writer has decoded (each is decoded once, whatever happens to its group).
    var decodedPolls: Int { engine.withLock { $0.decodedPolls } }
=======
    private func handle(_ job: Job) throws {
        switch job {
        case .spooled: try drainSpool()
        case .poll(let result): try writePolls([(result, nil)])
        case .backfill(let result):
            do {
                try writeBackfill(result)
            } catch let halt as ChainHalted {
                hold(job, halt)
            }
        case .report(let path, let watch, let origin):
            do {
                try writeReport(path: path, watch: watch, origin: origin)
            } catch let halt as ChainHalted {
                hold(job, halt)
            }
        case .reconfigure(var next):
            // daemon.state_dir takes effect at the next restart (Daemon.reloadedConfig): the
            // signing key, the heads and the spool stay where this writer started.
            next.daemon.stateDir = config.daemon.stateDir
            config = next
            health.keep(only: Set(next.meters.map(\.id)))
            metrics.set("jcm_meters_down", Double(health.downCount))
            try prepare()
        }
    }

    private func writeReport(path: String, watch: Config.Watch, origin: ReportOrigin?) throws {
        guard let store, var validator else { return }
        // Queued twice (a rescan after a reload) and already moved away by the first job.
        var st = stat()
        if lstat(path, &st) != 0, errno == ENOENT {
            logger.debug("report already handled", metadata: ["file": "\(path)"])
            reportFinished(path, origin: origin)
            return
        }
        let name = (path as NSString).lastPathComponent
        try FileManager.default.createDirectory(atPath: watch.rejectedDir, withIntermediateDirectories: true)
        let tempErrors = ReportMover.temporaryErrorsPath(for: name, in: watch.rejectedDir)
        unlink(tempErrors)  // left by a run that stopped mid-file
        let errors = try ErrorsFile(path: tempErrors, file: name)
        var ingestor = ReportIngestor(store: store, batchRows: config.database.batchRows, logger: logger)
        ingestor.csv = watch.csv
        ingestor.sheet = watch.sheet
        let summary: ReportSummary
        do {
            summary = try ingestor.ingest(
                path: path, zone: watch.timeZone, origin: origin, validator: &validator, problem: errors.add)
        } catch {
            errors.close(summary: "interrupted", sha256: nil)
            unlink(tempErrors)
            throw error
        }
        self.validator = validator
        count(summary.counts)
        metrics.add("jcm_reports_total", "outcome=\"\(summary.outcome.name)\"")
        if summary.counts.accepted + summary.counts.flagged > 0 { try? noteNewestReadings(store) }
        errors.close(summary: summary.oneLine, sha256: summary.sha256)
        if let failed = errors.failed {
            logger.error("errors file incomplete", metadata: ["file": "\(path)", "error": "\(failed)"])
        }
        settle(path, summary: summary, watch: watch, errorsPath: tempErrors)
        reportFinished(path, origin: origin)
    }

    func count(_ c: ChunkCounts) {
        for (verdict, n) in [
            ("accepted", c.accepted), ("flagged", c.flagged), ("rejected", c.rejected), ("duplicate", c.duplicates),
        ] where n > 0 {
            metrics.add("jcm_readings_total", "verdict=\"\(verdict)\"", Double(n))
        }
    }

    /// Moves the report out of the folder now that its rows are committed. A move that fails
    /// (another filesystem, permissions) is logged, not retried: the data is already stored, and
    /// the file, left in place, is recognised by its SHA-256 at the next start.
    private func settle(_ path: String, summary: ReportSummary, watch: Config.Watch, errorsPath: String) {
        do {
            switch summary.outcome {
            case .processed, .duplicate:
                unlink(errorsPath)
                let target = try ReportMover.move(path, into: watch.processedDir)
                logger.info("\(summary.oneLine)", metadata: ["file": "\(path)", "moved.to": "\(target)"])
            case .rejected, .refused:
                let target = try ReportMover.move(path, into: watch.rejectedDir)
                ReportMover.publishErrors(errorsPath, beside: target)
                logger.warning(
                    "\(summary.oneLine)",
                    metadata: ["file": "\(path)", "moved.to": "\(target)", "problems": "\(summary.problemCount)"])
            }
        } catch {
            logger.error(
                "report stored but not moved out of the folder",
                metadata: ["file": "\(path)", "error": "\(error)", "outcome": "\(summary.oneLine)"])
        }
    }

    private func giveUp(_ job: Job, error: Error) {
        switch job {
        case .spooled:
            setAsideSpooled(error: error)
        case .poll(let result):
            logger.error(
                "poll could not be written",
                metadata: [
                    "meter.id": "\(result.meterID)", "error": "\(error)",
                    "body": "\(String(decoding: result.body.prefix(512), as: UTF8.self))",
                ])
        case .reconfigure:
            logger.error("reloaded configuration could not be applied to the database", metadata: ["error": "\(error)"])
        case .backfill(let result):
            logger.error(
                "backfilled history could not be written",
                metadata: ["meter.id": "\(result.gap.meterID)", "error": "\(error)"])
        case .report(let path, let watch, let origin):
            logger.error("report could not be written", metadata: ["file": "\(path)", "error": "\(error)"])
            let target = try? ReportMover.move(path, into: watch.rejectedDir)
            if let target,
                let errors = try? ErrorsFile(
                    path: ReportMover.errorsPath(for: target), file: (path as NSString).lastPathComponent)
            {
                errors.add(
                    FileProblem(line: nil, reason: ReasonCode.databaseError.rawValue, detail: "\(error)", raw: nil))
                errors.close(summary: "not ingested: the database refused it", sha256: nil)
            }
            reportFinished(path, origin: origin)
        }
    }
>>>>>>> h21-xlsx-in
}
