import Foundation
import JCMCore

/// `jcm-ingestd verify`: recomputes every project's chain from the rows and names, by batch and
/// record, whatever was added, changed or deleted behind the daemon's back.
///
/// Two passes over one snapshot, each streamed (memory holds only the links open at the current
/// record):
/// the links alone (order, previous hashes, chain hashes, signatures), then batches, links,
/// readings and rejections merged by batch id, every record's digest recomputed from the text
/// PostgreSQL prints for it.
public final class LedgerVerifier {
    public struct Scope: Sendable {
        public var project: String?
        /// Batches received in [from, to); the chains themselves are always checked whole.
        public var from: Timestamp?
        public var to: Timestamp?
        /// A public key the verifier was given out of band: only signatures by it count.
        public var pinnedKey: [UInt8]?
        public init(project: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil, pinnedKey: [UInt8]? = nil) {
            self.project = project
            self.from = from
            self.to = to
            self.pinnedKey = pinnedKey
        }
    }

    public struct Summary: Sendable {
        public var projects = 0
        public var links = 0
        public var batches = 0
        public var readings = 0
        public var rejections = 0
        public var corrections = 0
        /// Batches older than the ledger (schema version 4 or before), not covered.
        public var unsealedBatches = 0
        public var findings = 0
        /// Every key in jcm.signing_keys, with what it signed.
        public var keys: [KeyUse] = []
    }

    public struct KeyUse: Sendable {
        public var fingerprint: String
        public var publicKey: [UInt8]
        /// sealed_at of the first link it signed (validly), and how many.
        public var firstSigned: Timestamp?
        public var links = 0
        /// The key it took over from (a rotation), by fingerprint.
        public var handoverFrom: String?
    }

    let conns: [Connection]
    let scope: Scope
    private var summary = Summary()
    private let report: (String) -> Void
    /// Called with what is worth knowing but is no finding (links acknowledged by a resolution).
    public var note: ((String) -> Void)?
    private var resolutionBatches: Set<Int64> = []

    /// - Parameter finding: called with each problem found, as one line.
    public init(conninfo: String, scope: Scope, finding: @escaping (String) -> Void) throws {
        // Five streams read together, all from the same snapshot.
        let first = try Connection(conninfo: conninfo)
        try first.execute("begin isolation level repeatable read read only")
        let snapshot = try first.query("select pg_export_snapshot()")[0].string(0)
        // SET TRANSACTION SNAPSHOT takes no parameter: the server's own snapshot id ("00000003-0000001B-1")
        // is the one text spliced in, and only when it is nothing but that.
        guard !snapshot.isEmpty, snapshot.allSatisfy({ $0 == "-" || $0.isHexDigit }) else {
            throw PostgresError(kind: .query, message: "the server exported no usable snapshot (\(snapshot))")
        }
        var conns = [first]
        for _ in 0..<4 {
            let c = try Connection(conninfo: conninfo)
            try c.execute("begin isolation level repeatable read read only")
            try c.execute("set transaction snapshot '\(snapshot)'")
            conns.append(c)
        }
        for c in conns { try Self.setting("project", .text(scope.project ?? ""), on: c) }
        self.conns = conns
        self.scope = scope
        self.report = finding
    }

    /// Called with each finding as a value too (for grouping).
    public var onFinding: ((LedgerFinding) -> Void)?
    /// Signed checkpoints the verifier kept (`--checkpoint`, the daemon's own): the chains must
    /// extend each of them. Where each came from names it in findings.
    public var checkpoints: [(note: Checkpoint.Note, source: String)] = []

    func found(_ line: String, _ kind: String, chain: String?, at place: LedgerFinding.Place?) {
        summary.findings += 1
        report(line)
        onFinding?(LedgerFinding(kind: kind, chain: chain, place: place, line: line))
    }

    public func run() throws -> Summary {
        let keys = try signingKeys()
        try checkChains(keys: keys)
        try checkAnchors(keys: keys)
        try checkRecords()
        summary.keys = keys.keys.sorted().map { id in
            let k = keys[id]!
            return KeyUse(
                fingerprint: LedgerSigner.fingerprint(k.key), publicKey: k.key,
                firstSigned: keyUse[id].map { Timestamp(microseconds: $0.first) },
                links: keyUse[id]?.count ?? 0,
                handoverFrom: k.from.flatMap { keys[$0] }.map { LedgerSigner.fingerprint($0.key) })
        }
        if summary.readings >= 1_000_000 { FileHandleProgress.end() }
        return summary
    }

    /// Keys by id, with their handover; sets those whose signatures count (accepted).
    private func signingKeys() throws -> [Int32: (key: [UInt8], from: Int32?, signature: [UInt8]?)] {
        var keys: [Int32: (key: [UInt8], from: Int32?, signature: [UInt8]?)] = [:]
        let rotations =
            try conns[0].query(
                """
                select count(*) from information_schema.columns where table_schema = 'jcm' and table_name = 'signing_keys' and column_name = 'handover_from'
                """)[0].int(0) == 1
        for row in try conns[0].query(
            rotations
                ? "select id, encode(public_key, 'hex'), handover_from, encode(handover_signature, 'hex') from jcm.signing_keys"
                : "select id, encode(public_key, 'hex'), null, null from jcm.signing_keys"
        ) {
            keys[try row.int32(0)] = (try row.bytes(1), try row.nullable.int32(2), try row.nullable.bytes(3))
        }
        for (id, k) in keys.sorted(by: { $0.key < $1.key }) {
            guard let from = k.from else { continue }
            if let old = keys[from], let signature = k.signature,
                LedgerSigner.isValid(
                    signature: signature, of: KeyHandover.record(from: old.key, to: k.key), publicKey: old.key)
            {
                continue
            }
            found(
                "key \(LedgerSigner.fingerprint(k.key)) (id \(id)): its handover from key id \(from) is not signed by that key",
                "key handover not valid",
                chain: nil, at: nil)
        }
        accepted = KeyHandover.accepted(pinned: scope.pinnedKey, keys: keys)
        return keys
    }

    var accepted: Set<Int32> = []
    private var keyUse: [Int32: (first: Int64, count: Int)] = [:]

    private var projectFilter: String {
        scope.project == nil ? "" : "where project = " + Self.setting("project", as: "text")
    }

    /// The scope reaches the COPY statements as parameters of the transaction (they bind none).
    static func setting(_ name: String, _ value: SQLParameter, on c: Connection) throws {
        try c.setParameter("verify_" + name, value)
    }

    static func setting(_ name: String, as type: String) -> String { Connection.parameter("verify_" + name, as: type) }

    // MARK: Pass 1, the chains

    private func checkChains(keys: [Int32: (key: [UInt8], from: Int32?, signature: [UInt8]?)]) throws {
        let resolutions = try checkResolutions()
        let cursor = try conns[0].copyOut(
            """
            copy (select project, seq, batch, first_seq, last_seq, encode(batch_digest, 'hex'), encode(sha256(record_digests), 'hex'),
                         octet_length(record_digests), encode(prev_hash, 'hex'), encode(chain_hash, 'hex'), key_id, encode(signature, 'hex'),
                         (extract(epoch from sealed_at) * 1000000)::bigint
                  from jcm.ledger \(projectFilter) order by project, seq) to stdout
            """)
        var project: String?
        var previous: (seq: Int64, hash: [UInt8])?
        /// The unsigned links since the last signed one: the signed link after them must come
        /// from the same transaction (the same sealed_at), or they are links no writer signed.
        var unsigned: [(seq: Int64, batch: Int64, sealedAt: Int64?)] = []
        func foreign(_ links: ArraySlice<(seq: Int64, batch: Int64, sealedAt: Int64?)>, _ kind: String, _ why: String) {
            guard let project, let first = links.first, let last = links.last else { return }
            let range = "\(Self.name(project))#\(first.seq)…#\(last.seq) (batches \(Self.batches(links.map(\.batch))))"
            if let r = resolutions[project]?.first(where: { $0.from <= first.seq && last.seq <= $0.to }) {
                note?(
                    "chain \(Self.name(project)): links \(range) are foreign, acknowledged by the resolution in batch \(r.batch) by \(r.author): \(r.reason)"
                )
            } else {
                found("chain \(Self.name(project)): links \(range) \(why)", kind, chain: project, at: .link(first.seq))
            }
        }
        func endChain() {
            foreign(
                unsigned[...], "foreign links at the head",
                "are covered by no signature: foreign links at the head (added without the key; the daemon halts the chain), or links after them removed"
            )
        }
        var f = CopyRow()
        while try cursor.next(into: &f) {
            guard f.count == 13, let p = f.string(0), let seq = f.int64(1), let batch = f.int64(2),
                let first = f.int(3), let last = f.int(4),
                let batchDigest = f.string(5).flatMap(LedgerDigest.bytes(hex:)),
                let records = f.string(6).flatMap(LedgerDigest.bytes(hex:)),
                let digestBytes = f.int(7), let stored = f.string(9).flatMap(LedgerDigest.bytes(hex:))
            else {
                found(
                    "ledger row \(f.string(0) ?? "null")#\(f.string(1) ?? "null"): malformed", "malformed link",
                    chain: f.string(0), at: f.int64(1).map { .link($0) })
                continue
            }
            if p != project {
                endChain()
                project = p
                previous = nil
                unsigned = []
                summary.projects += 1
            }
            summary.links += 1
            let here = "link \(Self.name(p))#\(seq) (batch \(batch))"
            let prev = f.string(8).flatMap(LedgerDigest.bytes(hex:))
            let expectedSeq = (previous?.seq ?? 0) + 1
            var problems: [(kind: String, text: String)] = []
            if seq != expectedSeq {
                problems.append(
                    ("links missing", "links \(Self.name(p))#\(expectedSeq)…#\(seq - 1) are missing (deleted)"))
            } else if prev != previous?.hash {
                problems.append(
                    (
                        "previous hash broken",
                        "its previous hash is not the chain hash of link #\(seq - 1) (links reordered or replaced)"
                    ))
            }
            if digestBytes != max(0, last - first + 1) * LedgerDigest.recordBytes {
                problems.append(
                    ("digest bytes wrong", "it holds \(digestBytes) digest bytes for records \(first)…\(last)"))
            }
            let hash = LedgerLink.chainHash(
                project: p, seq: seq, batch: batch, firstSeq: first, lastSeq: last, batchDigest: batchDigest,
                recordsSHA256: records, previous: prev)
            if hash != stored {
                problems.append(("link changed", "its chain hash does not match what it seals (the link was changed)"))
            }
            // The signature is over the stored hash: a link changed without re-signing shows above,
            // a hash recomputed without the key shows here.
            if let keyID = f.int64(10).map(Int32.init), let signature = f.string(11).flatMap(LedgerDigest.bytes(hex:)) {
                if let key = keys[keyID]?.key, accepted.contains(keyID),
                    LedgerSigner.isValid(signature: signature, of: stored, publicKey: key)
                {
                    let sealedAt = f.int64(12)
                    if let at = sealedAt {
                        let use = keyUse[keyID]
                        keyUse[keyID] = (min(use?.first ?? at, at), (use?.count ?? 0) + 1)
                    }
                    if let cut = unsigned.lastIndex(where: { $0.sealedAt != sealedAt }) {
                        foreign(
                            unsigned[...cut], "foreign links signed over",
                            "are covered by no signature of their own transaction: foreign links a writer chained onto")
                    }
                    unsigned = []
                } else {
                    problems.append(
                        (
                            "signature not valid\(scope.pinnedKey != nil ? " for the pinned key" : "")",
                            "its signature is not valid\(scope.pinnedKey != nil ? " for the pinned key" : "")"
                        ))
                }
            } else {
                unsigned.append((seq, batch, f.int64(12)))
            }
            if !problems.isEmpty {
                found(
                    here + ": " + problems.map(\.text).joined(separator: "; "),
                    problems.map(\.kind).joined(separator: ", "), chain: p, at: .link(seq))
            }
            previous = (seq, stored)
        }
        endChain()
    }

    /// The operators' resolutions of halted chains, each checked against its batch's sha256
    /// (which its link seals); a resolution batch without its row was deleted.
    private func checkResolutions() throws -> [String: [(
        from: Int64, to: Int64, batch: Int64, reason: String, author: String
    )]] {
        var out: [String: [(from: Int64, to: Int64, batch: Int64, reason: String, author: String)]] = [:]
        guard try conns[0].query("select to_regclass('jcm.chain_resolutions') is not null")[0].bool(0) else {
            return out
        }
        // A resolution batch without its row is found in pass 2, which reads every batch.
        for row in try conns[0].query(
            """
            select r.batch, r.project, r.head_seq, encode(r.head_hash, 'hex'), r.foreign_from, r.foreign_to, r.reason, r.author, b.sha256
            from jcm.chain_resolutions r left join jcm.batches b on b.id = r.batch
            """
        ) {
            let batch = try row.int64(0)
            let project = try row.string(1)
            let reason = try row.string(6)
            let author = try row.string(7)
            resolutionBatches.insert(batch)
            guard let sha256 = try row.nullable.string(8) else {
                found(
                    "the resolution of chain \(Self.name(project)) names batch \(batch), which is missing",
                    "resolution batch deleted", chain: project, at: .batch(batch))
                continue
            }
            if let only = scope.project, only != project { continue }
            let head = try row.nullable.int64(2).map { ChainHeadGuard.Head(seq: $0, hash: try row.bytes(3)) }
            let from = try row.nullable.int64(4)
            let to = try row.nullable.int64(5)
            let resolution = ChainResolution(
                project: project, head: head, foreign: from.flatMap { f in to.map { f...$0 } }, reason: reason,
                author: author)
            guard LedgerDigest.hex(LedgerDigest.sha256(resolution.record.bytes)) == sha256 else {
                found(
                    "batch \(batch): the resolution of chain \(Self.name(project)) was changed since it was sealed",
                    "resolution changed", chain: project, at: .batch(batch))
                continue
            }
            if let from, let to { out[project, default: []].append((from, to, batch, reason, author)) }
        }
        return out
    }

    /// Batch ids, the first few and how many more.
    static func batches(_ ids: [Int64]) -> String {
        ids.prefix(5).map(String.init).joined(separator: ", ") + (ids.count > 5 ? " and \(ids.count - 5) more" : "")
    }

    static func name(_ project: String) -> String { project.isEmpty ? "(no project)" : project }

    // MARK: Pass 2, the records

    /// A link whose records are being read: which of its slots a row has answered.
    private struct OpenLink {
        var link: LedgerLink
        var seen: [Bool]
    }

    private func checkRecords() throws {
        var meters: [Int32: (id: String, project: String)] = [:]
        for row in try conns[0].query("select key, id, project from jcm.meters") {
            meters[try row.int32(0)] = (try row.string(1), try row.string(2))
        }
        let projectOf = Dictionary(meters.values.map { ($0.id, $0.project) }) { a, _ in a }
        let firstSealed = try conns[0].query("select min(batch) from jcm.ledger")[0].nullable.int64(0) ?? Int64.max
        for c in conns {
            if let from = scope.from { try Self.setting("from", .timestamp(from), on: c) }
            if let to = scope.to { try Self.setting("to", .timestamp(to), on: c) }
            if let project = scope.project {
                let keys = meters.filter { $0.value.project == project }.map(\.key)
                try Self.setting("meter_keys", .intArray(keys), on: c)
                try Self.setting("meter_ids", .textArray(keys.map { meters[$0]!.id }), on: c)
                try Self.setting("all_meter_ids", .textArray(meters.values.map(\.id)), on: c)
            }
        }
        var window: [String] = []
        if scope.from != nil { window.append("received_at >= " + Self.setting("from", as: "timestamptz")) }
        if scope.to != nil { window.append("received_at < " + Self.setting("to", as: "timestamptz")) }
        if scope.project != nil {
            window.append("id in (select batch from jcm.ledger where project = \(Self.setting("project", as: "text")))")
        }
        let batchWhere = window.isEmpty ? "" : "where " + window.joined(separator: " and ")
        let inWindow = window.isEmpty ? "true" : "batch in (select id from jcm.batches \(batchWhere))"
        var readingWhere = inWindow
        var rejectionWhere = inWindow
        var linkWhere = inWindow
        if let p = scope.project {
            readingWhere += " and meter = any(\(Self.setting("meter_keys", as: "integer[]")))"
            rejectionWhere +=
                p.isEmpty
                ? " and (meter_id is null or meter_id <> all(\(Self.setting("all_meter_ids", as: "text[]"))))"
                : " and meter_id = any(\(Self.setting("meter_ids", as: "text[]")))"
            linkWhere += " and project = " + Self.setting("project", as: "text")
        }
        let batches = Peeking(
            try conns[0].copyOut(
                """
                copy (select id, kind, source, url, http_status, file_name, sha256, bytes, (extract(epoch from received_at) * 1000000)::bigint,
                             spool_record, plan_version from jcm.batches \(batchWhere) order by id) to stdout
                """))
        // Links in the order their records come: within a batch by first record.
        let links = Peeking(
            try conns[1].copyOut(
                """
                copy (select batch, project, seq, first_seq, last_seq, encode(batch_digest, 'hex'), encode(record_digests, 'hex')
                      from jcm.ledger where \(linkWhere) order by batch, first_seq, project) to stdout
                """))
        let readings = Peeking(
            try conns[2].copyOut(
                """
                copy (select batch, seq, meter, \(ReadingRecordField.storedColumns)
                      from jcm.readings where \(readingWhere) order by batch, seq) to stdout
                """))
        let rejections = Peeking(
            try conns[3].copyOut(
                """
                copy (select batch, seq, \(RejectionRecordField.storedColumns)
                      from jcm.rejections where \(rejectionWhere) order by batch, seq, id) to stdout
                """))
        // Corrections: sealed in batches of their own, each the text of its whole row as jsonb.
        let sealedCorrections =
            try conns[4].query(
                """
                select count(*) from information_schema.columns where table_schema = 'jcm' and table_name = 'corrections' and column_name = 'ledger_batch'
                """)[0].int(0) == 1
        var correctionWhere =
            "ledger_batch > 0 and " + inWindow.replacingOccurrences(of: "batch in (", with: "ledger_batch in (")
        if scope.project != nil {
            correctionWhere += " and meter_id = any(\(Self.setting("meter_ids", as: "text[]")))"
        }
        if sealedCorrections {
            for row in try conns[4].query(
                "select id, meter_id, ts from jcm.corrections where ledger_batch is null order by id"
            ) {
                let meter = try row.string(1)
                if let p = scope.project, projectOf[meter] != p { continue }
                let id = try row.int64(0)
                let ts = try row.timestamp(2)
                found(
                    "correction \(id) of meter \(meter) at \(ts): in no link (inserted behind the daemon's back)",
                    "correction in no link", chain: projectOf[meter], at: nil)
            }
        }
        try conns[4].execute("set local timezone = 'UTC'")
        var sealed = try sealedRows(conns[4], inWindow: inWindow)
        let ownRows = try sealedRowSlots(conns[4], inWindow: inWindow)
        func rowName(_ batch: Int64, _ project: String, _ seq: Int) -> String {
            guard project.isEmpty, let own = ownRows[batch], own.seq == seq else { return "" }
            return " (\(own.what))"
        }
        let corrections = Peeking(
            try conns[4].copyOut(
                sealedCorrections
                    ? """
                    copy (select ledger_batch, ledger_seq, meter_id, to_jsonb(c)::text, id from jcm.corrections c where \(correctionWhere)
                          order by ledger_batch, ledger_seq) to stdout
                    """ : "copy (select null::bigint where false) to stdout"))
        while true {
            let b = [
                try batches.batch(), try links.batch(), try readings.batch(), try rejections.batch(),
                try corrections.batch(),
            ].compactMap { $0 }.min()
            guard let b else { break }
            var batchDigest: [UInt8]?
            var source = ""
            if try batches.batch() == b, let f = try batches.take() {
                summary.batches += 1
                source = f.string(2) ?? ""
                if f.string(1) == "resolution", !resolutionBatches.contains(b) {
                    found(
                        "batch \(b): a resolution of chain \(source) whose jcm.chain_resolutions row was deleted",
                        "resolution deleted", chain: source, at: .batch(b))
                }
                batchDigest = LedgerDigest.sha256(
                    CanonicalRecord.batch(
                        id: b, kind: f.string(1) ?? "", source: source, url: f.string(3), httpStatus: f.int(4),
                        fileName: f.string(5),
                        sha256: f.string(6) ?? "", bytes: f.int(7) ?? -1, receivedMicroseconds: f.int64(8) ?? 0,
                        spoolRecord: f.string(9),
                        planVersion: f.int(10)
                    ).bytes)
            }
            var open: [OpenLink] = []
            var linkCount = 0
            let extra = sealed.removeValue(forKey: b) ?? []
            var next = 0
            /// Opens the batch's links that start at or before `seq`.
            func admit(upTo seq: Int) throws {
                while try links.batch() == b, let f = try links.peek(), let first = f.int(3), first <= seq {
                    _ = try links.take()
                    guard let p = f.string(1), let lseq = f.int64(2), let last = f.int(4),
                        let bd = f.string(5).flatMap(LedgerDigest.bytes(hex:)),
                        let rd = f.string(6).flatMap(LedgerDigest.bytes(hex:))
                    else { continue }
                    let link = LedgerLink(
                        project: p, seq: lseq, batch: b, firstSeq: first, lastSeq: last, batchDigest: bd,
                        recordDigests: rd, previous: nil)
                    linkCount += 1
                    if let batchDigest, batchDigest != bd {
                        found(
                            "batch \(b) (\(source)): its row was changed since link \(Self.name(p))#\(lseq) sealed it",
                            "batch changed", chain: p, at: .link(lseq))
                    } else if batchDigest == nil, linkCount == 1 {
                        found(
                            "batch \(b): sealed by link \(Self.name(p))#\(lseq) but its row was deleted",
                            "batch deleted", chain: p, at: .link(lseq))
                    }
                    open.append(OpenLink(link: link, seen: Array(repeating: false, count: max(0, link.recordCount))))
                }
            }
            /// Closes the links that end before `seq`: a slot no row answered was deleted.
            func retire(before seq: Int) {
                open.removeAll { l in
                    guard l.link.lastSeq < seq else { return false }
                    for (i, seen) in l.seen.enumerated() where !seen {
                        let at = i * LedgerDigest.recordBytes
                        if l.link.recordDigests[at..<(at + LedgerDigest.recordBytes)].elementsEqual(LedgerDigest.absent)
                        {
                            continue
                        }
                        found(
                            "batch \(b) record \(l.link.firstSeq + i) of \(Self.name(l.link.project))\(rowName(b, l.link.project, l.link.firstSeq + i)): sealed by link #\(l.link.seq) but deleted",
                            "record deleted", chain: l.link.project, at: .link(l.link.seq))
                    }
                    return true
                }
            }
            func check(_ kind: String, seq: Int?, project: String?, digest: (Int) -> [UInt8], what: () -> String) throws
            {
                guard let seq else {
                    if b >= firstSealed || linkCount > 0 {
                        found(
                            "batch \(b): \(kind) \(what()) has no ledger number (added behind the daemon's back)",
                            "\(kind) added without a number", chain: nil, at: .batch(b))
                    }
                    return
                }
                try admit(upTo: seq)
                retire(before: seq)
                let d = digest(seq)
                var covered: Int?
                for i in open.indices {
                    guard let expected = open[i].link.digest(ofRecord: seq) else { continue }
                    // A changed record is told against its own project's link when it has one.
                    if covered == nil || (open[i].link.project == project && open[covered!].link.project != project) {
                        covered = i
                    }
                    if expected.elementsEqual(d) {
                        if open[i].seen[seq - open[i].link.firstSeq] {
                            found(
                                "batch \(b) record \(seq): a second \(kind) \(what()) with the same content (added)",
                                "\(kind) added twice", chain: open[i].link.project, at: .link(open[i].link.seq))
                        }
                        open[i].seen[seq - open[i].link.firstSeq] = true
                        return
                    }
                }
                guard let i = covered else {
                    return found(
                        "batch \(b) record \(seq): \(kind) \(what()) is in no link (added behind the daemon's back)",
                        "\(kind) in no link", chain: nil, at: .batch(b))
                }
                // Still there, though changed: not also reported deleted.
                open[i].seen[seq - open[i].link.firstSeq] = true
                found(
                    "batch \(b) record \(seq): \(kind) \(what()) was changed since it was sealed", "\(kind) changed",
                    chain: open[i].link.project, at: .link(open[i].link.seq))
            }
            // Readings and rejections share the numbering: merged by seq (unnumbered last).
            while true {
                let rs = try readings.batch() == b ? try readings.peek().map { $0.int(1) ?? Int.max } : nil
                let js = try rejections.batch() == b ? try rejections.peek().map { $0.int(1) ?? Int.max } : nil
                let cs = try corrections.batch() == b ? try corrections.peek().map { $0.int(1) ?? Int.max } : nil
                let es = next < extra.count ? extra[next].seq ?? Int.max : Int.max
                if let rs, rs <= (js ?? Int.max), rs <= (cs ?? Int.max), rs <= es, let f = try readings.take() {
                    summary.readings += 1
                    let meter = f.int64(2).flatMap { meters[Int32($0)] }
                    try check(
                        "reading", seq: f.int(1), project: meter?.project,
                        digest: { seq in
                            var r = CanonicalRecord(tag: "reading")
                            r.resetReading(batch: b, seq: seq, meterID: meter?.id ?? "") { field, r in
                                f.withField(3 + field.rawValue) { r.field(utf8: $0) }
                            }
                            return LedgerDigest.record(r)
                        }, what: { "of meter \(meter?.id ?? "?") at \(Timestamp(microseconds: f.int64(3) ?? 0))" })
                    if summary.readings % 1_000_000 == 0 { FileHandleProgress.tick(summary.readings) }
                } else if let js, js <= (cs ?? Int.max), js <= es, let f = try rejections.take() {
                    summary.rejections += 1
                    try check(
                        "rejection", seq: f.int(1), project: f.string(2).map { projectOf[$0] ?? "" } ?? "",
                        digest: { seq in
                            var r = CanonicalRecord(tag: "rejection")
                            r.resetRejection(batch: b, seq: seq) { field, r in
                                f.withField(2 + field.rawValue) { r.field(utf8: $0) }
                            }
                            return LedgerDigest.record(r)
                        }, what: { "at \(f.string(3) ?? "")" })
                } else if let cs, cs <= es, let f = try corrections.take() {
                    summary.corrections += 1
                    try check(
                        "correction", seq: f.int(1), project: f.string(2).map { projectOf[$0] ?? "" } ?? "",
                        digest: { seq in
                            LedgerDigest.record(CanonicalRecord.correction(batch: b, seq: seq, json: f.string(3) ?? ""))
                        }, what: { "\(f.string(4) ?? "?") of meter \(f.string(2) ?? "?")" })
                } else if next < extra.count {
                    let row = extra[next]
                    next += 1
                    try check(
                        row.tag.replacingOccurrences(of: "_", with: " "), seq: row.seq, project: "",
                        digest: { seq in
                            LedgerDigest.record(CanonicalRecord.row(tag: row.tag, batch: b, seq: seq, json: row.json))
                        }, what: { row.what })
                } else {
                    break
                }
            }
            try admit(upTo: Int.max)
            retire(before: Int.max)
            if linkCount == 0, batchDigest != nil {
                if b < firstSealed {
                    summary.unsealedBatches += 1
                } else if scope.project == nil {
                    found(
                        "batch \(b) (\(source)): in no link of the ledger (added behind the daemon's back)",
                        "batch in no link", chain: nil, at: .batch(b))
                }
            }
        }
        sealedRowsLeft(sealed)
    }
}

/// A cursor that can look at its next row without taking it.
private final class Peeking {
    private let cursor: CopyOutCursor
    private var row = CopyRow()
    private var buffered = false
    private var ended = false

    init(_ cursor: CopyOutCursor) { self.cursor = cursor }

    func peek() throws -> CopyRow? {
        if !buffered, !ended {
            if try cursor.next(into: &row) { buffered = true } else { ended = true }
        }
        return buffered ? row : nil
    }

    func take() throws -> CopyRow? {
        let r = try peek()
        buffered = false
        return r
    }

    /// The batch id (first field) of the next row.
    func batch() throws -> Int64? { try peek()?.int64(0) }
}

/// Progress on stderr for long runs on a terminal.
enum FileHandleProgress {
    static func tick(_ readings: Int) {
        guard isatty(2) != 0 else { return }
        FileHandle.standardError.write(Data("\r\(readings / 1_000_000)M readings checked".utf8))
    }

    static func end() {
        guard isatty(2) != 0 else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
