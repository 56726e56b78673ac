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
    public func prepare() throws {
        try engine.withLock { engine in
            do {
                try engine.prepare()
                engine.noteDatabase(up: true)
            } catch let error as PostgresError where !error.isPermanent {
                engine.noteDatabase(up: false)
                throw error
            }
        }
    }

    /// What /healthz and systemd's STATUS= report of the writer.
    public var health: WriterHealth { shared.health }

    /// The ETag and Last-Modified each meter last answered with (from jcm.meter_state, then
    /// from every poll written), for the poller to send back, across restarts and reloads.
    public var validatorsByMeter: [String: (etag: String?, lastModified: String?)] {
        shared.validators.mapValues { ($0.etag, $0.lastModified) }
    }

    /// The chain heads this writer may extend, kept across reconnects (WriterEngine+Halts.swift).
    public var chainHeads: ChainHeadGuard? { shared.chainHeads }

    /// The chains halted now (for /healthz and systemd's STATUS=).
    public var haltedChains: [String] { shared.health.haltedChains }

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

    /// How many polls the writer has decoded (each is decoded once, whatever happens to its group).
    var decodedPolls: Int { engine.withLock { $0.decodedPolls } }
}
