import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Logging

/// Report files: ingested in chunks by ReportIngestor, then moved (WriterEngine+Effects.swift).
extension WriterEngine {
    func writeReport(path: String, watch: Config.Watch, origin: ReportOrigin?) throws {
        guard let store, var validator else { return }
        // Queued twice (a rescan after a reload) and already moved away by the first job.
        var st = stat()
        if lstat(path, &st) != 0, errno == ENOENT {
            logger.debug("report already handled", metadata: ["file": "\(path)"])
            shared.reportFinished(path, origin: origin)
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
        metrics.add("jcm_reports_total", ["outcome": "\(summary.outcome.name)"])
        if summary.counts.accepted + summary.counts.flagged > 0 { try? noteNewestReadings(store) }
        errors.close(summary: summary.oneLine, sha256: summary.sha256)
        if let failed = errors.failed {
            logger.error("errors file incomplete", metadata: ["file": "\(path)", "error": "\(failed)"])
        }
        settle(path, summary: summary, watch: watch, errorsPath: tempErrors)
        shared.reportFinished(path, origin: origin)
    }

    func giveUp(_ job: IngestWriter.Job, error: Error) {
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
            shared.reportFinished(path, origin: origin)
        }
    }
}
