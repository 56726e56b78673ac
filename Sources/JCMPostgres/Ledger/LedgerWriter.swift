import JCMCore

/// Seals what a transaction writes into the projects' chains (docs/verification.md).
///
/// Records are numbered and digested as the chunk writer encodes them, so sealing asks the
/// server for nothing but the chains' heads. Links are inserted as chunks end (a large file does
/// not hold its digests until commit) and at commit, in the same transaction as the rows: rows
/// and seals commit together or not at all. The last link each insert adds to a chain is
/// signed; the links before it are covered through the chain.
final class LedgerWriter {
    private let signer: LedgerSigner
    private let keyID: Int32
    /// From the configuration mirror: a reading's project and meter id by meter key, a
    /// rejection's project by the meter id it names.
    var meters: [Int32: (id: String, project: String)] = [:]
    var projectOfMeter: [String: String] = [:]
    /// Checks each chain's head before this writer extends it; nil: extend whatever is there.
    var headGuard: ChainHeadGuard?
    /// The heads this transaction signed, handed to the guard once it commits.
    private var signedHeads: [String: ChainHeadGuard.Head] = [:]
    private var sealedHeads: [String: ChainHeadGuard.Head] = [:]

    /// The records of one batch for one project: their numbering, and the digests not yet cut
    /// into a link. The chunk writer keeps it at hand per meter, off the per-record lookups.
    final class Lane {
        private var nextSeq = 0
        fileprivate var first = 1
        fileprivate var digests: [UInt8] = []

        /// Numbers a record; its digest follows with `append`.
        func number() -> Int {
            nextSeq += 1
            if digests.isEmpty { first = nextSeq }
            return nextSeq
        }

        func append(digestOf record: CanonicalRecord) { LedgerDigest.appendRecord(record, to: &digests) }

        /// A numbered record that the database did not store (a duplicate of a stored reading).
        func markAbsent(seq: Int) {
            let at = (seq - first) * LedgerDigest.recordBytes
            guard at >= 0, at < digests.count else { return }
            digests.replaceSubrange(at..<(at + LedgerDigest.recordBytes), with: LedgerDigest.absent)
        }
    }

    private final class OpenBatch {
        let digest: [UInt8]
        /// The chain of a batch with no record: its meter's project for a poll, else ''.
        let project: String
        var lanes: [String: Lane] = [:]
        var sealed = false
        init(digest: [UInt8], project: String) {
            self.digest = digest
            self.project = project
        }
    }
    private var open: [Int64: OpenBatch] = [:]
    private var order: [Int64] = []
    private var cut: [(project: String, batch: Int64, first: Int, last: Int, digests: [UInt8])] = []
    private var cutBytes = 0
    /// The chains' heads as this transaction left them; their locks are held until it ends.
    private var heads: [String: (seq: Int64, hash: [UInt8])?] = [:]

    /// Digest bytes cut into links before they are inserted.
    static let flushBytes = 1 << 20

    init(signer: LedgerSigner, keyID: Int32) {
        self.signer = signer
        self.keyID = keyID
    }

    func opened(batch id: Int64, _ b: BatchRecord, planVersion: Int32?) {
        let record = CanonicalRecord.batch(
            id: id, kind: b.kind.rawValue, source: b.source, url: b.url, httpStatus: b.httpStatus, fileName: b.fileName,
            sha256: b.sha256,
            bytes: b.bytes, receivedMicroseconds: b.receivedAt.microseconds, spoolRecord: b.spoolRecord,
            planVersion: planVersion.map(Int.init))
        let project = b.kind == .poll ? projectOfMeter[b.source] ?? "" : b.kind == .resolution ? b.source : ""
        open[id] = OpenBatch(digest: LedgerDigest.sha256(record.bytes), project: project)
        order.append(id)
    }

    func lane(batch: Int64, project: String) -> Lane {
        guard let b = open[batch] else {
            preconditionFailure("record of batch \(batch), not inserted in this transaction")
        }
        if let lane = b.lanes[project] { return lane }
        let lane = Lane()
        b.lanes[project] = lane
        return lane
    }

    /// Ends a chunk: what `batch` holds so far becomes one link per project.
    func cutChunk(batch: Int64, db: Connection) throws {
        guard let b = open[batch] else { return }
        for project in b.lanes.keys.sorted() {
            let lane = b.lanes[project]!
            guard !lane.digests.isEmpty else { continue }
            cut.append(
                (
                    project, batch, lane.first, lane.first + lane.digests.count / LedgerDigest.recordBytes - 1,
                    lane.digests
                ))
            cutBytes += lane.digests.count
            lane.digests = []
            b.sealed = true
        }
        if cutBytes >= Self.flushBytes { try insertCut(db) }
    }

    /// Forgets the transaction (it rolled back).
    func discard() {
        open = [:]
        order = []
        cut = []
        cutBytes = 0
        heads = [:]
        signedHeads = [:]
    }

    /// The transaction committed: the heads it signed are this writer's now.
    func committed() {
        headGuard?.committed(sealedHeads)
        sealedHeads = [:]
    }

    /// A resolution extends a head the guard refused, once the operator has named it: the
    /// transaction that writes it checks the head is still the one named.
    var acknowledging: (project: String, head: ChainHeadGuard.Head?)?

    /// Extends the chains with the rest of this transaction's links, inside it, before commit.
    func seal(_ db: Connection) throws {
        defer { discard() }
        for id in order where open[id]?.sealed == false {
            cut.append((open[id]!.project, id, 1, 0, []))
        }
        try insertCut(db)
        sealedHeads = signedHeads
    }

    private func insertCut(_ db: Connection) throws {
        defer {
            cut = []
            cutBytes = 0
        }
        guard !cut.isEmpty else { return }
        let unlocked = Array(Set(cut.map(\.project)).subtracting(heads.keys)).sorted()
        if !unlocked.isEmpty {
            // Sorted, so writers lock in one order. A large file may lock more projects at a later
            // flush; a deadlock that makes with another writer is PostgreSQL's to break (40P01),
            // and the aborted write is retried like any transient error.
            try db.query(
                "select pg_advisory_xact_lock(hashtextextended('jcm.ledger/' || p, 0)) from unnest($1::text[]) p order by p",
                [.textArray(unlocked)])
            for p in unlocked { heads[p] = .some(nil) }
            for row in try db.query(
                """
                select p, l.seq, encode(l.chain_hash, 'hex') from unnest($1::text[]) p
                join lateral (select seq, chain_hash from jcm.ledger where project = p order by seq desc limit 1) l on true
                """, [.textArray(unlocked)]
            ) {
                let p = try row.string(0)
                heads[p] = (try row.int64(1), try row.bytes(2))
            }
            for p in unlocked {
                let head = (heads[p] ?? nil).map { ChainHeadGuard.Head(seq: $0.seq, hash: $0.hash) }
                if let a = acknowledging, a.project == p {
                    guard head == a.head else {
                        throw PostgresError(
                            kind: .query, message: "the head of chain \(p) moved since it was named: resolve again")
                    }
                } else {
                    try headGuard?.check(project: p, head: head, db: db)
                }
            }
        }
        var links: [LedgerLink] = []
        var hashes: [[UInt8]] = []
        var lastOf: [String: Int] = [:]
        for c in cut {
            let head = heads[c.project] ?? nil
            let link = LedgerLink(
                project: c.project, seq: (head?.seq ?? 0) + 1, batch: c.batch, firstSeq: c.first, lastSeq: c.last,
                batchDigest: open[c.batch]!.digest, recordDigests: c.digests, previous: head?.hash)
            let hash = link.chainHash
            heads[c.project] = (link.seq, hash)
            lastOf[c.project] = links.count
            links.append(link)
            hashes.append(hash)
        }
        let signed = Set(lastOf.values)
        for i in signed { signedHeads[links[i].project] = ChainHeadGuard.Head(seq: links[i].seq, hash: hashes[i]) }
        // Binary COPY: the digests go as bytes, with no text arrays for the server to parse.
        var rows = BinaryCopyEncoder(reserving: cutBytes + links.count * 160)
        for (i, link) in links.enumerated() {
            rows.beginRow(fields: 11)
            rows.text(link.project)
            rows.int64(link.seq)
            rows.int64(link.batch)
            rows.int32(Int32(link.firstSeq))
            rows.int32(Int32(link.lastSeq))
            rows.bytea(link.batchDigest)
            rows.bytea(link.recordDigests)
            if let previous = link.previous { rows.bytea(previous) } else { rows.null() }
            rows.bytea(hashes[i])
            if signed.contains(i) {
                rows.int32(keyID)
                rows.bytea(try signer.sign(hashes[i]))
            } else {
                rows.null()
                rows.null()
            }
        }
        try db.copyIn(
            "copy jcm.ledger (project, seq, batch, first_seq, last_seq, batch_digest, record_digests, prev_hash, chain_hash, key_id, signature) from stdin (format binary)",
            rows: rows.bytes)
    }

    /// Records the signer's public key (once) and returns its id.
    static func register(_ signer: LedgerSigner, db: Connection) throws -> Int32 {
        let key = SQLParameter.bytes(signer.publicKey)
        try db.query(
            """
            insert into jcm.signing_keys (public_key, fingerprint) values ($1, $2) on conflict (public_key) do nothing
            """, [key, .text(LedgerSigner.fingerprint(signer.publicKey))])
        guard let row = try db.query("select id from jcm.signing_keys where public_key = $1", [key]).first else {
            throw PostgresError(kind: .query, message: "signing key not recorded in jcm.signing_keys")
        }
        return try row.int32(0)
    }
}
