import Foundation
import JCMCore
import Synchronization

/// Which chain heads a writer may extend (docs/verification.md, "One writer's head").
///
/// Signing a link vouches for every link below it. So before a writer appends to a chain, the
/// chain's head in the database must be either the last link this writer wrote (kept per chain in
/// `state_dir/ledger/heads`, compared in memory: no round trip), or a link signed by a trusted
/// writer key (this writer's or one of `daemon.ledger_writers`) whose chain still holds the last
/// link this writer wrote. The second case covers several writers sharing a database, the
/// operator's signed resolution, and a crash between a commit and the heads file.
///
/// Anything else halts the chain: an unsigned link on top (added with nothing but INSERT
/// rights), a link signed by a key no writer trusts, or a chain cut back below what this writer
/// wrote. A halted chain gets nothing more from this writer until a check passes again.
public final class ChainHeadGuard: Sendable {
    public struct Head: Sendable, Equatable {
        public var seq: Int64
        public var hash: [UInt8]
        public init(seq: Int64, hash: [UInt8]) {
            self.seq = seq
            self.hash = hash
        }
    }

    private struct State {
        /// The last link this writer wrote, per chain.
        var known: [String: Head] = [:]
        var halts: [String: ChainHalted] = [:]
        /// When the heads file is written next (`committed`).
        var nextWrite = Date.distantPast
    }

    private let state: Mutex<State>
    private let file: String?
    /// The database the heads are of (jcm.database_identity): a heads file of another database
    /// is not this one's.
    private let database: String?
    /// Public keys whose signed heads this writer extends (its own first).
    private let trusted: [[UInt8]]

    /// - Parameters:
    ///   - file: where the heads this writer wrote are kept; nil keeps them in memory only.
    ///   - trusted: this writer's public key and those of the other writers of the database.
    public init(file: String?, trusted: [[UInt8]], database: String? = nil) {
        self.file = file
        self.trusted = trusted
        self.database = database
        var known: [String: Head] = [:]
        if let file, let text = try? String(contentsOfFile: file, encoding: .utf8), Self.database(of: text) == database
        {
            known = Self.parse(text)
        }
        state = Mutex(State(known: known))
    }

    /// The database identity a heads file names (its first line `database ID`), if any.
    static func database(of text: String) -> String? {
        text.split(separator: "\n").first.flatMap {
            $0.hasPrefix("database ") ? String($0.dropFirst("database ".count)) : nil
        }
    }

    /// The chains halted now, by project.
    public var halted: [String: ChainHalted] { state.withLock { $0.halts } }

    public func isHalted(_ project: String) -> Bool { state.withLock { $0.halts[project] != nil } }

    /// The last link this writer wrote to each chain.
    public var written: [String: Head] { state.withLock { $0.known } }

    /// The last link this writer wrote to `project`'s chain, if any.
    public func lastWritten(_ project: String) -> Head? { state.withLock { $0.known[project] } }

    /// Called with the chain's head as read under the chain's lock, before anything is appended.
    /// Throws ChainHalted when this writer must not extend it.
    func check(project: String, head: Head?, db: Connection) throws {
        let (expected, halt) = state.withLock { ($0.known[project], $0.halts[project]) }
        if let halt { throw halt }
        if head == expected { return }
        if let why = try mismatch(project: project, expected: expected, head: head, db: db) {
            let halt = ChainHalted(
                project: project, expected: expected, head: head, foreign: try foreignLinks(project, db: db),
                reason: why)
            state.withLock { $0.halts[project] = halt }
            throw halt
        }
    }

    /// Checks the halted chains again (after an operator's resolution); returns those that may be
    /// written again.
    public func recheck(db: Connection) throws -> [String] {
        var resumed: [String] = []
        for (project, _) in halted {
            let head = try db.query(
                "select seq, chain_hash from jcm.ledger where project = $1 order by seq desc limit 1", [.text(project)]
            ).first.map { r in Head(seq: try r.int64(0), hash: try r.bytes(1)) }
            let expected = lastWritten(project)
            if try head == expected || mismatch(project: project, expected: expected, head: head, db: db) == nil {
                state.withLock { _ = $0.halts.removeValue(forKey: project) }
                resumed.append(project)
            }
        }
        return resumed
    }

    /// Records the heads a committed transaction left. The file follows at most once a second
    /// (and at `flush`): a write per commit, at ten commits a second, would cost the writer's hot
    /// path more than the check saves. A head the file missed (a crash) is found again as a head
    /// signed by this writer's key, at the cost of one query.
    func committed(_ heads: [String: Head]) {
        guard !heads.isEmpty else { return }
        let due = state.withLock { s in
            s.known.merge(heads) { _, new in new }
            return Date() >= s.nextWrite
        }
        if due { flush() }
    }

    /// Writes the heads file now (whole, then renamed; not fsynced).
    public func flush() {
        let text = state.withLock { s in
            s.nextWrite = Date() + 1
            return (database.map { "database \($0)\n" } ?? "") + Self.format(s.known)
        }
        guard let file else { return }
        let temp = file + ".part"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        if written == bytes.count { rename(temp, file) }
    }

    /// Why the head may not be extended, or nil when it may. One or two queries: only when the
    /// head is not the one this writer left.
    private func mismatch(project: String, expected: Head?, head: Head?, db: Connection) throws -> String? {
        guard let head else {
            return expected.map { "the chain is empty, though this writer wrote its link #\($0.seq): deleted" }
        }
        let r = try db.query(
            """
            select l.batch, l.first_seq, l.last_seq, encode(l.batch_digest, 'hex'), encode(sha256(l.record_digests), 'hex'),
                   encode(l.prev_hash, 'hex'), encode(k.public_key, 'hex'), encode(l.signature, 'hex'), b.kind
            from jcm.ledger l left join jcm.signing_keys k on k.id = l.key_id left join jcm.batches b on b.id = l.batch
            where l.project = $1 and l.seq = $2
            """, [.text(project), .int(head.seq)])
        guard let f = r.first else { return "its head #\(head.seq) cannot be read back" }
        let batch = try f.int64(0)
        let hash = LedgerLink.chainHash(
            project: project, seq: head.seq, batch: batch, firstSeq: try f.int(1), lastSeq: try f.int(2),
            batchDigest: try f.bytes(3), recordsSHA256: try f.bytes(4), previous: try f.nullable.bytes(5))
        guard hash == head.hash else { return "its head #\(head.seq) does not hash to its chain hash (a changed link)" }
        guard let key = try f.nullable.bytes(6), let signature = try f.nullable.bytes(7) else {
            return "its head #\(head.seq) (batch \(batch)) is signed by no key: a link this writer did not write"
        }
        guard trusted.contains(key) else {
            return
                "its head #\(head.seq) (batch \(batch)) is signed by key \(LedgerSigner.fingerprint(key)), which is not a writer of this database"
        }
        guard LedgerSigner.isValid(signature: signature, of: head.hash, publicKey: key) else {
            return "its head #\(head.seq) (batch \(batch)) carries a signature that is not valid"
        }
        // A resolution on top is the operator's word on whatever happened below it.
        guard let expected, try f.nullable.string(8) != "resolution" else { return nil }
        let kept = try db.query(
            "select chain_hash from jcm.ledger where project = $1 and seq = $2", [.text(project), .int(expected.seq)]
        ).first
        guard let kept else {
            return "link #\(expected.seq), the last this writer wrote, is gone: the chain was cut back to #\(head.seq)"
        }
        guard try kept.bytes(0) == expected.hash else {
            return "link #\(expected.seq), the last this writer wrote, was replaced (rewritten chain)"
        }
        return nil
    }

    /// The unsigned links at the top of the chain: what no writer vouched for.
    private func foreignLinks(_ project: String, db: Connection) throws -> [(seq: Int64, batch: Int64)] {
        try db.query(
            """
            select seq, batch from jcm.ledger where project = $1
              and seq > coalesce((select max(seq) from jcm.ledger where project = $1 and signature is not null), 0)
            order by seq limit 1000
            """, [.text(project)]
        ).map { r in (try r.int64(0), try r.int64(1)) }
    }

    // The heads file: one line per chain, "seq hash-hex project" (the project last: it may hold spaces).
    public static func format(_ heads: [String: Head]) -> String {
        heads.keys.sorted().map { "\(heads[$0]!.seq) \(LedgerDigest.hex(heads[$0]!.hash)) \($0)\n" }.joined()
    }

    public static func parse(_ text: String) -> [String: Head] {
        var heads: [String: Head] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, let seq = Int64(parts[0]), let hash = LedgerDigest.bytes(hex: String(parts[1]))
            else { continue }
            heads[parts.count == 3 ? String(parts[2]) : ""] = Head(seq: seq, hash: hash)
        }
        return heads
    }
}

/// A chain this writer stopped writing: its head is not one it can vouch for.
public struct ChainHalted: Error, Sendable, CustomStringConvertible {
    public var project: String
    /// The last link this writer wrote, and the head found in its place.
    public var expected: ChainHeadGuard.Head?
    public var head: ChainHeadGuard.Head?
    /// The unsigned links on top of the chain, by seq and batch.
    public var foreign: [(seq: Int64, batch: Int64)]
    public var reason: String

    public var description: String {
        let name = project.isEmpty ? "(no project)" : project
        var text = "chain \(name) halted: \(reason)"
        if let first = foreign.first, let last = foreign.last {
            text +=
                "; foreign links #\(first.seq)…#\(last.seq) (batches \(foreign.map { String($0.batch) }.joined(separator: ", ")))"
        }
        return text
    }
}
