import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Logging

/// The writer's own state and the writing itself: its connection, the validator's state, what
/// it holds for halted chains, where it is in the spool. Only ever reached through
/// IngestWriter.engine (a Mutex), so one job at a time, on one thread at a time.
///
/// A write goes one way: the pure stage (PollStage, decode and validate) makes a batch outside
/// the transaction, the store runs the batch's SQL and COPY, and once committed the writer
/// applies its effects (WriterEngine+Effects.swift): the validator's state, gap requests,
/// validators, metrics, file moves.
final class WriterEngine {
    /// What the driver (IngestWriter.run) does after a job.
    enum Next {
        case next
        /// The job is back at the front of the queue: wait this long first.
        case retry(Double)
        case stop
    }

    let conninfo: String
    var config: Config
    let logger: Logger
    let metrics: Metrics
    let spool: Spool?
    let queue: JobQueue<IngestWriter.Job>
    let backfill: WriterBackfill
    let shared: WriterShared

    var store: ReadingStore?
    /// What validation carries from one write to the next; nil until prepared. The validator's
    /// part is reloaded from the database at every reconnect.
    var stage: PollStage.State?
    var health = MeterHealth()
    /// Polls of halted chains, a spool per project under `state_dir/held/`, and the jobs that
    /// touched them, until the chain resumes.
    var heldSpools: [String: Spool] = [:]
    var heldJobs: [String: [IngestWriter.Job]] = [:]
    var nextRecheck = Date.distantPast
    /// Signed checkpoints of the chains this writer extends (CheckpointWriter).
    var checkpoints: CheckpointWriter?
    var nextCheckpoint = Date()
    /// The first spool record not yet committed.
    var spoolCursor: Spool.Position?
    /// When the spool was last drained to its end (drainSpool).
    var caughtUpAt: Date?
    /// The gaps being written: rows so far, the newest reading kept, and whether a request
    /// failed, by gap id.
    var backfillProgress: [Int: (counts: ChunkCounts, outside: Int, last: BackfillMark?, failed: Bool)] = [:]
    /// Polls decoded (PollStage.decode): once each, whatever happens to their group.
    var decodedPolls = 0
    private var transient = 0
    private var permanent = 0
    private var leftForNextStart = 0

    init(
        conninfo: String, config: Config, logger: Logger, metrics: Metrics, spool: Spool?,
        queue: JobQueue<IngestWriter.Job>, backfill: WriterBackfill, shared: WriterShared
    ) {
        self.conninfo = conninfo
        self.config = config
        self.logger = logger
        self.metrics = metrics
        self.spool = spool
        self.queue = queue
        self.backfill = backfill
        self.shared = shared
        spoolCursor = spool?.start
    }

    var validator: ReadingValidator? {
        get { stage?.validator }
        set {
            guard let newValue else { return }
            if stage == nil { stage = PollStage.State(validator: newValue) } else { stage?.validator = newValue }
        }
    }

    var chainHeads: ChainHeadGuard? { shared.chainHeads }

    /// Connects, migrates, mirrors the configuration and loads validator state.
    func prepare() throws {
        let context = try IngestContext.open(conninfo: conninfo, config: config, logger: logger, heads: chainHeads)
        if chainHeads == nil {
            shared.chainHeads = context.heads
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
        shared.seed(stored.mapValues { MeterStates.Validators(etag: $0.etag, lastModified: $0.lastModified) })
        // A meter down before the restart is still down: said once when it recovers, not again.
        let configured = Set(config.meters.map(\.id))
        for (meter, state) in stored where configured.contains(meter) {
            health.seed(meter: meter, failures: state.failures)
        }
        noteMetersDown()
        metrics.meters.configure(config.meters)
        for m in config.meters where m.poll != nil { metrics.meters.setDown(m.id, health.isDown(m.id)) }
        try noteNewestReadings(context.store)
    }

    /// Every meter's newest reading, for jcm_meter_last_reading_timestamp_seconds.
    func noteNewestReadings(_ store: ReadingStore) throws {
        for (id, t) in try store.newestReadingTimes() { metrics.meters.reading(id, at: t) }
    }

    /// One job, with its retries decided: the driver waits and pops it again.
    func handle(_ job: IngestWriter.Job) -> Next {
        if shared.pastDrainDeadline {
            switch job {
            case .poll, .backfill: break  // held in memory only
            default:
                leftForNextStart += 1
                return .next
            }
        }
        do {
            if store == nil || store?.db.isHealthy == false { try prepare() }
            try resumeChainsIfDue()
            try checkpointIfDue()
            let started = Date()
            try write(job)
            let kind: String
            switch job {
            case .poll, .spooled, .backfill: kind = "poll"
            case .report: kind = "report"
            case .reconfigure: kind = "reconfigure"
            }
            metrics.add("jcm_write_seconds_sum", ["kind": "\(kind)"], Date().timeIntervalSince(started))
            metrics.add("jcm_write_seconds_count", ["kind": "\(kind)"])
            noteCommit()
            transient = 0
            permanent = 0
            return .next
        } catch let error as PostgresError where !error.isPermanent {
            // Reconnect and reload the validator's state from what was committed.
            store = nil
            noteDatabase(up: false)
            transient += 1
            if queue.isClosed, transient > 3 {
                stopUnwritten(job, error: error)
                return .stop
            }
            // Capped at 10 s: the spool keeps what arrives meanwhile, and a database back
            // from maintenance should see the backlog drain within seconds.
            let delay = Backoff.delay(attempt: transient, cap: 10)
            logger.error(
                "database unavailable; retrying",
                metadata: ["error": "\(error)", "retry.in_s": "\(DurationText.seconds(delay))"])
            queue.pushFront(job)
            return .retry(delay)
        } catch let shortage as OutOfDescriptors {
            // Out of descriptors: wait for some to be freed, as for a database that is away.
            // The file stays in its folder; nothing is refused for the daemon's own state.
            metrics.add(
                "jcm_open_failures_total", ["what": "\(shortage.what)", "error": "\(OpenFailure.name(shortage.code))"])
            transient += 1
            let delay = Backoff.delay(attempt: transient, cap: 10)
            if queue.isClosed, transient > 3 {
                stopUnwritten(job, error: shortage)
                return .stop
            }
            logger.error(
                "out of file descriptors; retrying", metadata: ["error": "\(shortage)", "retry.in_s": "\(delay)"])
            queue.pushFront(job)
            return .retry(delay)
        } catch {
            store = nil
            permanent += 1
            if permanent < 3 {
                logger.warning("write failed; retrying", metadata: ["error": "\(error)"])
                queue.pushFront(job)
                return .retry(Backoff.delay(attempt: permanent))
            }
            permanent = 0
            giveUp(job, error: error)
            return .next
        }
    }

    /// When the driver stops: the heads flushed, a last checkpoint, and what was left said.
    func stopped() {
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

    private func write(_ job: IngestWriter.Job) throws {
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
            noteMetersDown()
            try prepare()
        }
    }

    func count(_ c: ChunkCounts) {
        for (verdict, n) in [
            ("accepted", c.accepted), ("flagged", c.flagged), ("rejected", c.rejected), ("duplicate", c.duplicates),
        ] where n > 0 {
            metrics.add("jcm_readings_total", ["verdict": "\(verdict)"], Double(n))
        }
    }
}
