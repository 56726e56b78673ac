import Foundation
import JCMCore
import JCMCurl
import JCMPostgres

/// A chain whose head this writer cannot vouch for (ChainHeadGuard) is halted: nothing is signed
/// on top of it. Its polls wait in a spool of their own under `state_dir/held/`, and the report
/// and backfill jobs that touched it wait in memory (a report file also stays in its folder, so a
/// restart finds it again). Every other chain goes on. Once the operator's signed resolution
/// (`jcm-ingestd chain resume`) is the head, the chain resumes and what waited is written.
extension WriterEngine {
    var heldRoot: String { config.daemon.stateDir + "/held" }

    /// Says it loudly, once per halt: the log, the metrics.
    func noteHalt(_ halt: ChainHalted) {
        if heldJobs[halt.project] == nil {
            heldJobs[halt.project] = []
            metrics.add("jcm_ledger_halts_total")
            logger.error(
                "ledger chain halted: its head is not a link this writer can vouch for; nothing more is signed on it until an operator resolves it (jcm-ingestd chain resume)",
                metadata: ["chain": "\(halt.project)", "error": "\(halt)"])
        }
        metrics.set("jcm_ledger_chains_halted", Double(chainHeads?.halted.count ?? 0))
    }

    /// A report or backfill job that touched a halted chain: written once the chain resumes.
    func hold(_ job: IngestWriter.Job, _ halt: ChainHalted) {
        noteHalt(halt)
        heldJobs[halt.project, default: []].append(job)
        if case .report(let path, _, _) = job {
            logger.warning(
                "report held until its chain resumes; the file stays where it is",
                metadata: ["file": "\(path)", "chain": "\(halt.project)"])
        }
    }

    /// Moves the polls of halted chains to their held spools; returns the others.
    func holdHalted<Item>(
        _ items: [Item], _ result: KeyPath<Item, PollResult>, _ spoolRecord: KeyPath<Item, String?>
    ) throws -> [Item] {
        guard let heads = chainHeads, !heads.halted.isEmpty, let registry = validator?.registry else { return items }
        var rest: [Item] = []
        var held: [String: [[UInt8]]] = [:]
        for item in items {
            if let project = registry.lookup(item[keyPath: result].meterID)?.meter.project, heads.isHalted(project) {
                held[project, default: []].append(
                    Self.heldPayload(item[keyPath: result], ref: item[keyPath: spoolRecord]))
            } else {
                rest.append(item)
            }
        }
        for (project, payloads) in held { try heldSpool(project).append(payloads) }
        return rest
    }

    private func heldSpool(_ project: String) throws -> Spool {
        if let spool = heldSpools[project] { return spool }
        let spool = try Spool(
            directory: heldRoot + "/" + LedgerDigest.hex(Array(project.utf8)), maxBytes: config.daemon.spoolMaxBytes,
            logger: logger)
        heldSpools[project] = spool
        return spool
    }

    /// The held spools a previous run left: their chains are tried again at the first check.
    func openHeldSpools() throws {
        guard let dirs = try? FileManager.default.contentsOfDirectory(atPath: heldRoot) else { return }
        for dir in dirs {
            guard let bytes = LedgerDigest.bytes(hex: dir) else { continue }
            _ = try heldSpool(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Every `recheckSeconds` while a chain is halted or polls are held: resumes the chains
    /// whose head is now one this writer may extend, and writes what waited for them.
    func resumeChainsIfDue() throws {
        guard let heads = chainHeads, let store, !heldSpools.isEmpty || !heads.halted.isEmpty, Date() >= nextRecheck
        else { return }
        nextRecheck = Date() + shared.recheckSeconds
        for project in try heads.recheck(db: store.db) {
            logger.notice(
                "ledger chain resumed: its head is a link this writer may extend", metadata: ["chain": "\(project)"])
        }
        metrics.set("jcm_ledger_chains_halted", Double(heads.halted.count))
        for project in heldSpools.keys.sorted() where !heads.isHalted(project) {
            try replayHeld(project)
        }
        for (project, jobs) in heldJobs where !heads.isHalted(project) {
            heldJobs[project] = nil
            for job in jobs.reversed() { queue.pushFront(job) }
        }
    }

    /// Writes a resumed chain's held polls; a chain that halts again keeps the rest.
    private func replayHeld(_ project: String) throws {
        guard let spool = heldSpools[project] else { return }
        var cursor = spool.start
        while true {
            let (entries, next) = spool.read(from: cursor, max: Self.spoolGroup)
            let items = entries.compactMap { Self.heldItem($0.payload) }
            if !items.isEmpty {
                do {
                    try write(decode(items), holdingHalted: false)
                } catch let halt as ChainHalted {
                    noteHalt(halt)
                    return
                }
            }
            cursor = next
            spool.release(upTo: next)
            if entries.count < Self.spoolGroup { break }
        }
        heldSpools[project] = nil
        if spool.bytes == 0 { try? FileManager.default.removeItem(atPath: spool.directory) }
        logger.notice("held polls written", metadata: ["chain": "\(project)"])
    }

    /// A held poll keeps the spool record it came from (its batch's spool_record), so a poll
    /// held twice is written once.
    static func heldPayload(_ result: PollResult, ref: String?) -> [UInt8] {
        let r = Array((ref ?? "").utf8)
        return [UInt8(r.count >> 8), UInt8(r.count & 0xFF)] + r + result.spoolPayload
    }

    static func heldItem(_ payload: [UInt8]) -> (result: PollResult, spoolRecord: String?)? {
        guard payload.count >= 2 else { return nil }
        let n = Int(payload[0]) << 8 | Int(payload[1])
        guard payload.count >= 2 + n, let result = PollResult(spoolPayload: Array(payload[(2 + n)...])) else {
            return nil
        }
        let ref = String(decoding: payload[2..<(2 + n)], as: UTF8.self)
        return (result, ref.isEmpty ? nil : ref)
    }
}
