import JCMCore

/// Provenance of one fetched response or report file: a row of jcm.batches.
public struct BatchRecord: Sendable {
    public enum Kind: String, Sendable {
        case poll, file
        case duplicateFile = "duplicate_file"
        case resolution, correction, plan
    }

    public var kind: Kind
    public var source: String
    public var url: String?
    public var httpStatus: Int?
    public var fileName: String?
    public var sha256: String
    public var bytes: Int
    public var receivedAt: Timestamp
    /// The spool record a poll was replayed from: written once, however often it is replayed.
    public var spoolRecord: String?

    public init(
        kind: Kind, source: String, url: String? = nil, httpStatus: Int? = nil, fileName: String? = nil, sha256: String,
        bytes: Int,
        receivedAt: Timestamp, spoolRecord: String? = nil
    ) {
        self.kind = kind
        self.source = source
        self.url = url
        self.httpStatus = httpStatus
        self.fileName = fileName
        self.sha256 = sha256
        self.bytes = bytes
        self.receivedAt = receivedAt
        self.spoolRecord = spoolRecord
    }
}

/// What a report file came to: a row of jcm.reports.
public struct ReportRecord: Sendable {
    public var sha256: String
    public var fileName: String
    public var batch: Int64
    public var outcome: String
    public var counts: ChunkCounts
    public var error: String?

    public init(sha256: String, fileName: String, batch: Int64, outcome: String, counts: ChunkCounts, error: String?) {
        self.sha256 = sha256
        self.fileName = fileName
        self.batch = batch
        self.outcome = outcome
        self.counts = counts
        self.error = error
    }
}

/// Tallies of what happened to the rows of a chunk, a file or a poll.
public struct ChunkCounts: Sendable, Equatable {
    public var accepted = 0
    public var flagged = 0
    public var rejected = 0
    /// Already stored with the same value: writing them again changed nothing.
    public var duplicates = 0

    public init() {}

    public var total: Int { accepted + flagged + rejected + duplicates }

    public static func += (a: inout ChunkCounts, b: ChunkCounts) {
        a.accepted += b.accepted
        a.flagged += b.flagged
        a.rejected += b.rejected
        a.duplicates += b.duplicates
    }
}
