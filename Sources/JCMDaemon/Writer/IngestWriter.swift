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
        case poll(PollResult)
        case report(path: String, watch: Config.Watch)
        /// A reloaded configuration: mirrored into the database, meters re-read, in the order of
        /// the jobs around it.
        case reconfigure(Config)
    }

    private let conninfo: String
    private var config: Config
    private let logger: Logger
    private let queue = JobQueue<Job>()
    private var store: ReadingStore?
    private var validator: ReadingValidator?
    /// Called once a report has left the watched folder (or was given up). Set from the main
    /// thread (at start and reload), called from the writer's.
    public var onReportDone: @Sendable (String) -> Void {
        get { callbackLock.withLock { reportDone } }
        set { callbackLock.withLock { reportDone = newValue } }
    }
    private var reportDone: @Sendable (String) -> Void = { _ in }
    private let callbackLock = NSLock()

    private let metrics: Metrics

    public init(conninfo: String, config: Config, logger: Logger, metrics: Metrics = Metrics()) {
        self.conninfo = conninfo
        self.config = config
        self.logger = logger
        self.metrics = metrics
    }

    public func submit(_ job: Job) { queue.push(job) }

    public var backlog: Int { queue.count }

    /// Connects, migrates, mirrors the configuration and loads validator state. Throws when
    /// the database cannot be reached, so a misconfigured daemon fails at start.
    public func prepare() throws {
        let context = try IngestContext.open(conninfo: conninfo, config: config, logger: logger)
        store = context.store
        validator = context.validator
    }

    /// Stops once every job handed over before this call is written.
    public func finish() { queue.close() }

    public func run() {
        var transient = 0
        var permanent = 0
        while let job = queue.pop() {
            do {
                if store == nil || store?.db.isHealthy == false { try prepare() }
                let started = Date()
                try handle(job)
                let kind: String
                switch job { case .poll: kind = "poll"; case .report: kind = "report"; case .reconfigure: kind = "reconfigure" }
                metrics.add("jcm_write_seconds_sum", "kind=\"\(kind)\"", Date().timeIntervalSince(started))
                metrics.add("jcm_write_seconds_count", "kind=\"\(kind)\"")
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
                    logger.critical("stopping with jobs not written: the database is unavailable", metadata: [
                        "error": "\(error)", "jobs.unwritten": "\(queue.count + 1)"])
                    return
                }
                let delay = Backoff.delay(attempt: transient)
                logger.error("database unavailable; retrying", metadata: ["error": "\(error)", "retry.in_s": "\(delay)"])
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

    private func handle(_ job: Job) throws {
        switch job {
        case .poll(let result): try writePoll(result)
        case .report(let path, let watch): try writeReport(path: path, watch: watch)
        case .reconfigure(let next):
            config = next
            try prepare()
        }
    }

    private func writePoll(_ result: PollResult) throws {
        // A poll of a meter that a reload has just removed is dropped with the meter.
        guard let store, var validator, let meter = validator.registry.lookup(result.meterID)?.meter, let poll = meter.poll else { return }
        let url = URLRedaction.redact(result.url)
        let batch = try store.insertBatch(BatchRecord(kind: .poll, source: meter.id, url: url, httpStatus: result.status == 0 ? nil : result.status,
                                                      sha256: SHA256Hasher.hex(of: result.body), bytes: result.body.count, receivedAt: result.receivedAt))
        let chunk = try store.beginChunk(batch: batch, source: meter.id)
        let excerpt = String(decoding: result.body.prefix(4_096), as: UTF8.self)
        func refuse(_ reason: ReasonCode, _ detail: String) {
            chunk.add(Rejection(raw: RawReading(meterID: meter.id, timestamp: nil, value: nil, unit: nil, location: url, raw: excerpt), reason: reason, detail: detail))
            logger.warning("poll rejected", metadata: ["meter.id": "\(meter.id)", "reason": "\(reason.rawValue)", "detail": "\(detail)"])
        }
        switch result.failure {
        case .tooLarge(let cap)?: refuse(.payloadTooLarge, "response larger than \(cap) bytes (max_response_bytes)")
        case .transport(let message)?: refuse(.httpTransport, message)
        case nil where result.status != 200: refuse(.httpStatus, "HTTP status \(result.status)")
        case nil:
            switch JSONMeterDecoder.decode(result.body, mapping: poll.json, meterID: meter.id) {
            case .failure(let f): refuse(f.reason, f.detail)
            case .success(let raw):
                switch validator.validate(raw, now: Timestamp(date: Date()), arrival: result.receivedAt) {
                case .accepted(let reading): try chunk.add(reading)
                case .rejected(let r): refuse(r.reason, r.detail)
                }
            }
        }
        let counts = try chunk.commit()
        self.validator = validator
        metrics.add("jcm_polls_total", counts.accepted + counts.flagged > 0 || counts.duplicates > 0 ? "result=\"ok\"" : "result=\"failed\"")
        count(counts)
        logger.debug("poll written", metadata: ["meter.id": "\(meter.id)", "batch.id": "\(batch)", "accepted": "\(counts.accepted + counts.flagged)"])
    }

    private func writeReport(path: String, watch: Config.Watch) throws {
        guard let store, var validator else { return }
        // Queued twice (a rescan after a reload) and already moved away by the first job.
        var st = stat()
        if lstat(path, &st) != 0, errno == ENOENT {
            logger.debug("report already handled", metadata: ["file": "\(path)"])
            onReportDone(path)
            return
        }
        let name = (path as NSString).lastPathComponent
        try FileManager.default.createDirectory(atPath: watch.rejectedDir, withIntermediateDirectories: true)
        let tempErrors = (watch.rejectedDir as NSString).appendingPathComponent(".\(name).errors.json.part")
        let errors = try ErrorsFile(path: tempErrors, file: name)
        let ingestor = ReportIngestor(store: store, batchRows: config.database.batchRows, logger: logger)
        let summary: ReportSummary
        do {
            summary = try ingestor.ingest(path: path, zone: watch.timeZone, validator: &validator, problem: errors.add)
        } catch {
            errors.close(summary: "interrupted", sha256: nil)
            unlink(tempErrors)
            throw error
        }
        self.validator = validator
        count(summary.counts)
        metrics.add("jcm_reports_total", "outcome=\"\(summary.outcome.name)\"")
        errors.close(summary: summary.oneLine, sha256: summary.sha256)
        if let failed = errors.failed {
            logger.error("errors file incomplete", metadata: ["file": "\(path)", "error": "\(failed)"])
        }
        settle(path, summary: summary, watch: watch, errorsPath: tempErrors)
    }

    private func count(_ c: ChunkCounts) {
        for (verdict, n) in [("accepted", c.accepted), ("flagged", c.flagged), ("rejected", c.rejected), ("duplicate", c.duplicates)] where n > 0 {
            metrics.add("jcm_readings_total", "verdict=\"\(verdict)\"", Double(n))
        }
    }

    /// Moves the report out of the folder now that its rows are committed. A move that fails
    /// (another filesystem, permissions) is logged, not retried: the data is already stored, and
    /// the file, left in place, is recognised by its SHA-256 at the next start.
    private func settle(_ path: String, summary: ReportSummary, watch: Config.Watch, errorsPath: String) {
        defer { onReportDone(path) }
        do {
            switch summary.outcome {
            case .processed, .duplicate:
                unlink(errorsPath)
                let target = try ReportMover.move(path, into: watch.processedDir)
                logger.info("\(summary.oneLine)", metadata: ["file": "\(path)", "moved.to": "\(target)"])
            case .rejected, .refused:
                let target = try ReportMover.move(path, into: watch.rejectedDir)
                rename(errorsPath, target + ".errors.json")
                logger.warning("\(summary.oneLine)", metadata: ["file": "\(path)", "moved.to": "\(target)", "problems": "\(summary.problemCount)"])
            }
        } catch {
            logger.error("report stored but not moved out of the folder", metadata: ["file": "\(path)", "error": "\(error)", "outcome": "\(summary.oneLine)"])
        }
    }

    private func giveUp(_ job: Job, error: Error) {
        switch job {
        case .poll(let result):
            logger.error("poll could not be written", metadata: ["meter.id": "\(result.meterID)", "error": "\(error)",
                                                                 "body": "\(String(decoding: result.body.prefix(512), as: UTF8.self))"])
        case .reconfigure:
            logger.error("reloaded configuration could not be applied to the database", metadata: ["error": "\(error)"])
        case .report(let path, let watch):
            logger.error("report could not be written", metadata: ["file": "\(path)", "error": "\(error)"])
            let target = try? ReportMover.move(path, into: watch.rejectedDir)
            if let target, let errors = try? ErrorsFile(path: target + ".errors.json", file: (path as NSString).lastPathComponent) {
                errors.add(FileProblem(line: nil, reason: ReasonCode.databaseError.rawValue, detail: "\(error)", raw: nil))
                errors.close(summary: "not ingested: the database refused it", sha256: nil)
            }
            onReportDone(path)
        }
    }
}

/// Exponential backoff with jitter, capped: 0.5 s, 1 s, 2 s … 30 s.
public enum Backoff {
    public static func delay(attempt: Int, base: Double = 0.5, cap: Double = 30, jitter: Double = Double.random(in: 0.8...1.2)) -> Double {
        min(cap, base * pow(2, Double(max(0, attempt - 1)))) * jitter
    }
}
