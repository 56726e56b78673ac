import Foundation
import JCMCore
import JCMPostgres
import Logging

/// The one path from a report file to PostgreSQL, shared by the watched folder and `ingest`.
///
/// The file is hashed first (a second drop of the same bytes is recorded, not ingested twice),
/// then streamed record by record through the validator into chunks of `batchRows` readings.
/// The whole file is one transaction (each chunk a savepoint): a crash or a lost connection
/// leaves nothing of it behind, and the next attempt writes it exactly once. Memory stays
/// bounded whatever the file's size.
public struct ReportIngestor {
    public var store: ReadingStore
    public var batchRows: Int
    public var logger: Logger
    public var clock: @Sendable () -> Timestamp = { Timestamp(date: Date()) }
    /// How CSV files are written where this file comes from (its [[watch]] folder's dialect).
    public var csv = CSVDialect.standard
    /// Which sheet of an .xlsx report to read (its folder's `sheet`); nil: the first.
    public var sheet: String?

    public init(store: ReadingStore, batchRows: Int, logger: Logger) {
        self.store = store
        self.batchRows = batchRows
        self.logger = logger
    }

    /// - Parameters:
    ///   - zone: the watched folder's time zone for timestamps without an offset.
    ///   - origin: where an [[upload]] source downloaded the file from: its URL is the batch's
    ///     provenance, and the download is remembered in jcm.upload_objects. nil for a file
    ///     from a watched folder or the command line, which cannot claim a URL.
    ///   - problem: called for every problem, in file order (errors.json is written from it).
    ///   - progress: bytes read so far and the file's size.
    public func ingest(
        path: String, zone: String?, origin: ReportOrigin? = nil, validator: inout ReadingValidator,
        problem: (FileProblem) -> Void = { _ in }, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> ReportSummary {
        let name = (path as NSString).lastPathComponent
        var summary = ReportSummary(path: path, outcome: .processed)
        func record(_ p: FileProblem) {
            summary.problemCount += 1
            if summary.firstProblems.count < 5 { summary.firstProblems.append(p) }
            problem(p)
        }
        let file: FileSource
        do {
            file = try FileSource(path: path)
        } catch let shortage as OutOfDescriptors {
            throw shortage  // the daemon's state, not the file's: retried, never refused
        } catch {
            summary.outcome = .refused("\(error)")
            record(FileProblem(line: nil, reason: ReasonCode.fileRefused.rawValue, detail: "\(error)", raw: nil))
            return summary
        }
        let sha = try file.sha256()
        summary.sha256 = sha
        let received = clock()
        if let origin, let cut = origin.cutAtBytes {
            let base = summary
            summary = try store.transaction {
                try refuseCut(
                    file, name: name, sha256: sha, received: received, origin: origin, cut: cut, summary: base,
                    problem: problem)
            }
            return summary
        }
        if let first = try store.report(sha256: sha) {
            summary.batch = try store.transaction {
                let batch = try store.insertBatch(
                    BatchRecord(
                        kind: .duplicateFile, source: path, url: origin?.url, fileName: name, sha256: sha,
                        bytes: file.size, receivedAt: received))
                if let origin, let batch {
                    try store.insertUploadObject(origin.record(sha256: sha, at: received), batch: batch)
                }
                return batch
            }
            summary.outcome = .duplicate(of: first)
            return summary
        }
        var working = validator
        let base = summary
        summary = try store.transaction {
            try ingest(
                file, name: name, sha256: sha, received: received, zone: zone, origin: origin, summary: base,
                validator: &working,
                problem: problem, progress: progress)
        }
        validator = working
        // A file refused whole is logged once, by whoever reports its outcome (a warning).
        logger.log(
            level: summary.nothingRead ? .debug : .info, "report ingested",
            metadata: [
                "file": "\(name)", "batch.id": "\(summary.batch ?? 0)", "accepted": "\(summary.counts.accepted)",
                "flagged": "\(summary.counts.flagged)",
                "rejected": "\(summary.counts.rejected)", "duplicates": "\(summary.counts.duplicates)",
            ])
        return summary
    }

    private func ingest(
        _ file: FileSource, name: String, sha256 sha: String, received: Timestamp, zone: String?, origin: ReportOrigin?,
        summary: ReportSummary,
        validator: inout ReadingValidator, problem: (FileProblem) -> Void, progress: (Int, Int) -> Void
    ) throws -> ReportSummary {
        var summary = summary
        var rowRejections = 0
        func record(_ p: FileProblem) {
            summary.problemCount += 1
            if summary.firstProblems.count < 5 { summary.firstProblems.append(p) }
            problem(p)
        }
        guard
            let batch = try store.insertBatch(
                BatchRecord(
                    kind: .file, source: summary.path, url: origin?.url, fileName: name, sha256: sha, bytes: file.size,
                    receivedAt: received))
        else {
            throw PostgresError(kind: .query, message: "insert into jcm.batches returned no id")
        }
        summary.batch = batch

        var decoder = try decoder(for: file, name: name)
        var chunk = try store.beginChunk(batch: batch, source: name)
        var inChunk = 0
        var now = clock()
        // A download's text may hold what its server echoed of the request (credentials).
        let redactor = origin?.redactor ?? SecretRedactor()
        func refuse(_ raw: RawReading, _ reason: ReasonCode, _ detail: String, at timestamp: Timestamp? = nil) {
            var raw = raw
            var detail = detail
            if !redactor.isEmpty {
                raw.raw = redactor.redact(raw.raw)
                detail = redactor.redact(detail)
            }
            chunk.add(Rejection(raw: raw, reason: reason, detail: detail, timestamp: timestamp))
            rowRejections += 1
            record(
                FileProblem(line: Self.line(of: raw.location), reason: reason.rawValue, detail: detail, raw: raw.raw))
        }
        while true {
            let item: ReportItem?
            do {
                item = try decoder.next()
            } catch {
                summary.fatal = error.description
                record(
                    FileProblem(
                        line: error.line, reason: ReasonCode.fileUnreadable.rawValue, detail: error.message, raw: nil))
                break
            }
            guard let item else { break }
            switch item {
            case .malformed(let raw, let detail):
                refuse(raw, .recordMalformed, detail)
            case .reading(let raw):
                switch validator.validate(raw, now: now, zone: zone) {
                case .accepted(let reading): try chunk.add(reading, location: raw.location)
                case .rejected(let r): refuse(raw, r.reason, r.detail, at: r.timestamp)
                }
            }
            inChunk += 1
            if inChunk >= batchRows {
                summary.counts += try chunk.commit()
                progress(decoder.bytesRead, file.size)
                chunk = try store.beginChunk(batch: batch, source: name)
                inChunk = 0
                now = clock()
            }
        }
        summary.counts += try chunk.commit()
        progress(file.size, file.size)
        // Conflicts and refused rows are found by the database on the staging path; list them too.
        if summary.counts.rejected > rowRejections {
            for found in try store.rejectionsFoundByDatabase(batch: batch) {
                record(
                    FileProblem(
                        line: Self.line(of: found.location), reason: found.reason, detail: found.detail, raw: found.raw)
                )
            }
        }
        if summary.counts.rejected > 0 || summary.fatal != nil { summary.outcome = .rejected }
        try store.insertReport(
            ReportRecord(
                sha256: sha, fileName: name, batch: batch,
                outcome: summary.outcome.name,
                counts: summary.counts, error: summary.fatal))
        if let origin { try store.insertUploadObject(origin.record(sha256: sha, at: received), batch: batch) }
        return summary
    }

    /// A download cut off at max_file_bytes: one rejection for the whole file, no row read from
    /// it, and no jcm.reports row (the hash is of a part, which must not pass for the file).
    private func refuseCut(
        _ file: FileSource, name: String, sha256 sha: String, received: Timestamp, origin: ReportOrigin, cut: Int64,
        summary: ReportSummary,
        problem: (FileProblem) -> Void
    ) throws -> ReportSummary {
        var summary = summary
        guard
            let batch = try store.insertBatch(
                BatchRecord(
                    kind: .file, source: summary.path, url: origin.url, fileName: name, sha256: sha,
                    bytes: file.size, receivedAt: received))
        else {
            throw PostgresError(kind: .query, message: "insert into jcm.batches returned no id")
        }
        summary.batch = batch
        let detail = "download larger than \(cut) bytes (max_file_bytes); cut off there and not read"
        let chunk = try store.beginChunk(batch: batch, source: name)
        chunk.add(
            Rejection(
                raw: RawReading(
                    meterID: nil, timestamp: nil, value: nil, unit: nil, location: origin.url,
                    raw: origin.redactor.redact(String(decoding: try file.peek(512), as: UTF8.self))),
                reason: .payloadTooLarge, detail: detail))
        summary.counts += try chunk.commit()
        let p = FileProblem(line: nil, reason: ReasonCode.payloadTooLarge.rawValue, detail: detail, raw: nil)
        summary.problemCount += 1
        summary.firstProblems.append(p)
        problem(p)
        summary.fatal = detail
        summary.outcome = .rejected
        try store.insertUploadObject(origin.record(sha256: sha, at: received), batch: batch)
        logger.warning(
            "uploaded file too large; refused",
            metadata: ["file": "\(name)", "url": "\(origin.url)", "batch.id": "\(batch)"])
        return summary
    }

    /// "file.csv:12" and "book.xlsx:Readings!A12" are both on line (row) 12.
    static func line(of location: String) -> Int? {
        location.split(separator: ":").last.flatMap {
            Int(String($0.reversed().prefix { $0.isASCII && $0.isNumber }.reversed()))
        }
    }

    private func decoder(for file: FileSource, name: String) throws -> any ReportDecoder {
        let first = try file.peek(128)
        if let refusal = ReportFormat.refusal(fileName: name, firstBytes: first) {
            return RefusedReportDecoder(ReportFailure(line: 0, message: refusal))
        }
        let format = ReportFormat.detect(fileName: name, firstBytes: first)
        guard format == .xlsx else { return makeReportDecoder(format, source: file, fileName: name, csv: csv) }
        do {
            return try XLSXWorkbookFile.decoder(file, name: name, sheet: sheet, dialect: csv)
        } catch {
            return RefusedReportDecoder(error)
        }
    }
}
