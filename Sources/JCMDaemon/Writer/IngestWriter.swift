import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Logging

/// The one thread that writes to PostgreSQL. Sources hand it jobs; it owns the connection, the
/// validator's state and the order of writes. It starts first and stops last: on shutdown it
/// drains what the sources already handed over.
public final class IngestWriter: @unchecked Sendable {
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
        /// A history response the Backfiller fetched for a gap (IngestWriter+Backfill.swift).
        case backfill(BackfillResult)
    }

    private let conninfo: String
    var config: Config
    let logger: Logger
    let queue = JobQueue<Job>()
    var store: ReadingStore?
    var validator: ReadingValidator?
    var health = MeterHealth()
    let backfill: WriterBackfill
    /// Called once a report has left the watched folder (or was given up), with the origin its
    /// job carried. Set from the main thread (at start and reload), called from the writer's.
    public var onReportDone: @Sendable (String, ReportOrigin?) -> Void {
        get { callbackLock.withLock { reportDone } }
        set { callbackLock.withLock { reportDone = newValue } }
    }
    private var reportDone: @Sendable (String, ReportOrigin?) -> Void = { _, _ in }
    private let callbackLock = NSLock()
    /// Paths of downloaded reports submitted and not yet done with. Kept here, not by the upload
    /// poller, because the writer outlives a reload: the poller of the next configuration must
    /// not download over a copy the previous one handed over.
    private var downloadsInFlight: Set<String> = []

    let metrics: Metrics
    let spool: Spool?
    /// The chain heads this writer may extend, kept across reconnects (IngestWriter+Halts.swift).
    public internal(set) var chainHeads: ChainHeadGuard?
    /// Polls of halted chains, a spool per project under `state_dir/held/`, and the jobs that
    /// touched them, until the chain resumes.
    var heldSpools: [String: Spool] = [:]
    var heldJobs: [String: [Job]] = [:]
    var nextRecheck = Date.distantPast
    /// How often halted chains are checked again for a resolution.
    public var recheckSeconds = 10.0
    /// Signed checkpoints of the chains this writer extends (CheckpointWriter).
    var checkpoints: CheckpointWriter?
    var nextCheckpoint = Date()
    /// The first spool record not yet committed.
    var spoolCursor: Spool.Position?

    /// - Parameter pendingGaps: where gaps not yet backfilled are kept across restarts (the
    ///   daemon's PendingGaps.path); nil keeps them in memory only.
    public init(
        conninfo: String, config: Config, logger: Logger, metrics: Metrics = Metrics(), spool: Spool? = nil,
        pendingGaps: String? = nil
    ) {
        self.conninfo = conninfo
        self.config = config
        self.logger = logger
        self.metrics = metrics
        self.spool = spool
        backfill = WriterBackfill(pendingFile: pendingGaps, logger: logger)
        spoolCursor = spool?.start
        if spool != nil { queue.push(.spooled) }
    }

    public func submit(_ job: Job) {
        if case .report(let path, _, _?) = job { callbackLock.withLock { _ = downloadsInFlight.insert(path) } }
        queue.push(job)
    }

    /// New records in the spool. One `.spooled` job waiting is enough: it drains everything, so
    /// the intake's appends do not pile up jobs while the writer gathers (drainSpool).
    func spooled() {
        let first = callbackLock.withLock { () -> Bool in
            defer { spooledWaiting = true }
            return !spooledWaiting
        }
        if first { queue.push(.spooled) }
    }
    private var spooledWaiting = false

    /// Taken by drainSpool before it reads: what is spooled after this gets a job of its own.
    func takeSpooledJob() { callbackLock.withLock { spooledWaiting = false } }

    /// Whether a downloaded report at `path` is waiting to be ingested (or being ingested).
    public func isDownloadPending(_ path: String) -> Bool { callbackLock.withLock { downloadsInFlight.contains(path) } }

    private func reportFinished(_ path: String, origin: ReportOrigin?) {
        if origin != nil { callbackLock.withLock { _ = downloadsInFlight.remove(path) } }
        onReportDone(path, origin)
    }

    public var backlog: Int { queue.count }

    /// Connects, migrates, mirrors the configuration and loads validator state. Throws when
    /// the database cannot be reached, so a misconfigured daemon fails at start.
    public func prepare() throws {
        let context = try IngestContext.open(conninfo: conninfo, config: config, logger: logger, heads: chainHeads)
        if chainHeads == nil {
            chainHeads = context.heads
            try openHeldSpools()
        }
        if checkpoints == nil {
            checkpoints = CheckpointWriter(
                config: config, signer: try SigningKeyFile.load(stateDir: config.daemon.stateDir, create: false),
                logger: logger)
        }
        store = context.store
        validator = context.validator
        let stored = try context.store.storedPollStates()
        validatorsLock.withLock {
            pollValidators.merge(stored.mapValues { ($0.etag, $0.lastModified) }) { current, _ in current }
        }
        // A meter down before the restart is still down: said once when it recovers, not again.
        let configured = Set(config.meters.map(\.id))
        for (meter, state) in stored where configured.contains(meter) {
            health.seed(meter: meter, failures: state.failures)
        }
        metrics.set("jcm_meters_down", Double(health.downCount))
        metrics.meters.configure(config.meters)
        for m in config.meters where m.poll != nil { metrics.meters.setDown(m.id, health.isDown(m.id)) }
        try noteNewestReadings(context.store)
    }

    /// Every meter's newest reading, for jcm_meter_last_reading_timestamp_seconds.
    func noteNewestReadings(_ store: ReadingStore) throws {
        for (id, t) in try store.newestReadingTimes() { metrics.meters.reading(id, at: t) }
    }

    /// The ETag and Last-Modified each meter last answered with (from jcm.meter_state, then
    /// from every poll written), for the poller to send back, across restarts and reloads.
    public var validatorsByMeter: [String: (etag: String?, lastModified: String?)] {
        validatorsLock.withLock { pollValidators }
    }
    var pollValidators: [String: (etag: String?, lastModified: String?)] = [:]
    var stateRefresh = MeterStateRefresh()
    /// When the spool was last drained to its end (drainSpool).
    var caughtUpAt: Date?
    /// The newest reading each polled meter has had committed by this writer (writePoll).
    var lastStored: [Int32: RecentReadings] = [:]
    let validatorsLock = NSLock()

    /// Stops once every job handed over before this call is written, or once `drainSeconds`
    /// have passed: then what is safe elsewhere (the spool, reports still in their folder) is
    /// left for the next start, so a stop fits in systemd's TimeoutStopSec. Polls held only in
    /// memory are always written.
    public func finish(drainSeconds: Double = 20) {
        callbackLock.withLock { drainDeadline = Date() + drainSeconds }
        queue.close()
    }

    var pastDrainDeadline: Bool { callbackLock.withLock { drainDeadline.map { Date() > $0 } ?? false } }
    private var drainDeadline: Date?

    public func run() {
        var transient = 0
        var permanent = 0
        var leftForNextStart = 0
        defer {
            chainHeads?.flush()
            do { try checkpointIfDue(force: true) } catch {
                logger.warning("no checkpoint at stop", metadata: ["error": "\(error)"])
            }
            if leftForNextStart > 0 {
                logger.notice(
                    "stopped before every job was written; spooled polls and waiting reports are taken up at the next start",
                    metadata: [
                        "jobs.left": "\(leftForNextStart)", "spool.bytes": "\(spool?.bytes ?? 0)",
                    ])
            }
        }
        while let job = queue.pop() {
            if pastDrainDeadline {
                switch job {
                case .poll, .backfill: break  // held in memory only
                default:
                    leftForNextStart += 1
                    continue
                }
            }
            do {
                if store == nil || store?.db.isHealthy == false { try prepare() }
                try resumeChainsIfDue()
                try checkpointIfDue()
                let started = Date()
                try handle(job)
                let kind: String
                switch job {
                case .poll, .spooled, .backfill: kind = "poll"
                case .report: kind = "report"
                case .reconfigure: kind = "reconfigure"
                }
                metrics.add("jcm_write_seconds_sum", ["kind": "\(kind)"], Date().timeIntervalSince(started))
                metrics.add("jcm_write_seconds_count", ["kind": "\(kind)"])
                metrics.set("jcm_last_commit_timestamp_seconds", Date().timeIntervalSince1970)
                metrics.set("jcm_database_up", 1)
                transient = 0
                permanent = 0
            } catch let error as PostgresError where !error.isPermanent {
                // Reconnect and reload the validator's state from what was committed.
                store = nil
                metrics.set("jcm_database_up", 0)
                transient += 1
                if queue.isClosed, transient > 3 {
                    stopUnwritten(job, error: error)
                    return
                }
                // Capped at 10 s: the spool keeps what arrives meanwhile, and a database back
                // from maintenance should see the backlog drain within seconds.
                let delay = Backoff.delay(attempt: transient, cap: 10)
                logger.error(
                    "database unavailable; retrying",
                    metadata: ["error": "\(error)", "retry.in_s": "\(DurationText.seconds(delay))"])
                queue.pushFront(job)
                Thread.sleep(forTimeInterval: delay)
            } catch let shortage as OutOfDescriptors {
                // Out of descriptors: wait for some to be freed, as for a database that is away.
                // The file stays in its folder; nothing is refused for the daemon's own state.
                metrics.add(
                    "jcm_open_failures_total",
                    ["what": "\(shortage.what)", "error": "\(OpenFailure.name(shortage.code))"])
                transient += 1
                let delay = Backoff.delay(attempt: transient, cap: 10)
                if queue.isClosed, transient > 3 {
                    stopUnwritten(job, error: shortage)
                    return
                }
                logger.error(
                    "out of file descriptors; retrying", metadata: ["error": "\(shortage)", "retry.in_s": "\(delay)"])
                queue.pushFront(job)
                Thread.sleep(forTimeInterval: delay)
            } catch {
                store = nil
                permanent += 1
                if permanent < 3 {
                    logger.warning("write failed; retrying", metadata: ["error": "\(error)"])
                    queue.pushFront(job)
                    Thread.sleep(forTimeInterval: Backoff.delay(attempt: permanent))
                } else {
                    permanent = 0
                    giveUp(job, error: error)
                }
            }
        }
    }

    /// Every `daemon.checkpoint_interval`, and when the writer stops: a signed checkpoint of each
    /// chain whose head this writer moved.
    func checkpointIfDue(force: Bool = false) throws {
        let interval = Double(config.daemon.checkpointIntervalMilliseconds) / 1000
        guard let checkpoints, let heads = chainHeads, let store, interval > 0 || force,
            force || Date() >= nextCheckpoint
        else { return }
        nextCheckpoint = Date() + interval
        try checkpoints.write(heads.written, db: store.db)
    }

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
        metrics.add("jcm_reports_total", ["outcome": "\(summary.outcome.name)"])
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
            metrics.add("jcm_readings_total", ["verdict": "\(verdict)"], Double(n))
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
}
