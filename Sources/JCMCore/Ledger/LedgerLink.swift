/// One link of a project's chain: it seals the records numbered `firstSeq...lastSeq` that a batch
/// holds for the project (readings and rejections share the numbering), and the batch's own row.
/// A batch with no record for any project (a 304, a repeated file) has one link with no records.
public struct LedgerLink: Sendable, Equatable {
    public var project: String
    /// 1, 2, … within the project's chain.
    public var seq: Int64
    public var batch: Int64
    public var firstSeq: Int
    /// `firstSeq - 1` when the link seals no record.
    public var lastSeq: Int
    /// SHA-256 of the batch's canonical record.
    public var batchDigest: [UInt8]
    /// `LedgerDigest.recordBytes` per record, in seq order; `LedgerDigest.absent` for a slot
    /// whose record was not stored.
    public var recordDigests: [UInt8]
    /// The previous link's chain hash; nil for the first link of a project.
    public var previous: [UInt8]?

    public init(
        project: String, seq: Int64, batch: Int64, firstSeq: Int, lastSeq: Int, batchDigest: [UInt8],
        recordDigests: [UInt8], previous: [UInt8]?
    ) {
        self.project = project
        self.seq = seq
        self.batch = batch
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
        self.batchDigest = batchDigest
        self.recordDigests = recordDigests
        self.previous = previous
    }

    public var recordCount: Int { lastSeq - firstSeq + 1 }

    /// The digest of record `seq` as sealed, nil when `seq` is outside this link.
    public func digest(ofRecord seq: Int) -> ArraySlice<UInt8>? {
        guard seq >= firstSeq, seq <= lastSeq else { return nil }
        let at = (seq - firstSeq) * LedgerDigest.recordBytes
        return recordDigests[at..<(at + LedgerDigest.recordBytes)]
    }

    /// SHA-256 of the link's canonical record: changing anything the link seals, or any earlier
    /// link, changes it.
    public var chainHash: [UInt8] {
        Self.chainHash(
            project: project, seq: seq, batch: batch, firstSeq: firstSeq, lastSeq: lastSeq, batchDigest: batchDigest,
            recordsSHA256: LedgerDigest.sha256(recordDigests), previous: previous)
    }

    /// The same from the SHA-256 of the record digests, which is all the chain needs of them.
    public static func chainHash(
        project: String, seq: Int64, batch: Int64, firstSeq: Int, lastSeq: Int, batchDigest: [UInt8],
        recordsSHA256: [UInt8], previous: [UInt8]?
    ) -> [UInt8] {
        var r = CanonicalRecord(tag: "link")
        r.field(project)
        r.field(seq)
        r.field(batch)
        r.field(firstSeq)
        r.field(lastSeq)
        r.field(LedgerDigest.hex(batchDigest))
        r.field(LedgerDigest.hex(recordsSHA256))
        r.field(previous.map(LedgerDigest.hex))
        return LedgerDigest.sha256(r.bytes)
    }
}
