import Foundation
import JCMCore

/// The operator's resolution of a halted chain (`jcm-ingestd chain resume`): a batch of kind
/// 'resolution' with its jcm.chain_resolutions row, sealed and signed on top of the head the
/// operator named. Writers that halted on that head extend the chain again from it.
public struct ChainResolution: Sendable {
    public var project: String
    /// The head as the operator saw it; the resolution is refused if the chain moved since.
    public var head: ChainHeadGuard.Head?
    public var foreign: ClosedRange<Int64>?
    public var reason: String
    public var author: String

    public init(
        project: String, head: ChainHeadGuard.Head?, foreign: ClosedRange<Int64>?, reason: String, author: String
    ) {
        self.project = project
        self.head = head
        self.foreign = foreign
        self.reason = reason
        self.author = author
    }

    /// What the batch's sha256 is the SHA-256 of (docs/verification.md gives it in SQL).
    public var record: CanonicalRecord {
        var r = CanonicalRecord(tag: "resolution")
        r.field(project)
        r.field(head?.seq)
        r.field(head.map { LedgerDigest.hex($0.hash) })
        r.field(foreign?.lowerBound)
        r.field(foreign?.upperBound)
        r.field(reason)
        r.field(author)
        return r
    }
}

extension ReadingStore {
    /// The chain's head and its unsigned links on top, as an operator resolves them.
    public func chainHead(_ project: String) throws -> (head: ChainHeadGuard.Head?, foreign: ClosedRange<Int64>?) {
        let row = try db.query(
            """
            select seq, encode(chain_hash, 'hex'),
                   (select min(seq) from jcm.ledger u where u.project = $1
                     and u.seq > coalesce((select max(seq) from jcm.ledger s where s.project = $1 and s.signature is not null), 0))
            from jcm.ledger where project = $1 order by seq desc limit 1
            """, [project]
        ).first
        guard let row else { return (nil, nil) }
        let seq = try row.int64(0)
        return (
            ChainHeadGuard.Head(seq: seq, hash: try row.bytes(1)), try row.nullable.int64(2).map { $0...seq }
        )
    }

    /// Writes the resolution; returns its batch id.
    public func resolve(_ r: ChainResolution) throws -> Int64 {
        let bytes = r.record.bytes
        ledger.acknowledging = (r.project, r.head)
        defer { ledger.acknowledging = nil }
        return try transaction {
            guard
                let batch = try insertBatch(
                    BatchRecord(
                        kind: .resolution, source: r.project, sha256: LedgerDigest.hex(LedgerDigest.sha256(bytes)),
                        bytes: bytes.count, receivedAt: Timestamp(date: Date())))
            else {
                throw PostgresError(kind: .query, message: "the resolution's batch was not inserted")
            }
            try db.query(
                """
                insert into jcm.chain_resolutions (batch, project, head_seq, head_hash, foreign_from, foreign_to, reason, author)
                values ($1, $2, $3, decode($4, 'hex'), $5, $6, $7, $8)
                """,
                [
                    String(batch), r.project, r.head.map { String($0.seq) }, r.head.map { LedgerDigest.hex($0.hash) },
                    r.foreign.map { String($0.lowerBound) }, r.foreign.map { String($0.upperBound) }, r.reason,
                    r.author,
                ])
            return batch
        }
    }
}
