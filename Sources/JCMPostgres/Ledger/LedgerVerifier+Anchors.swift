import JCMCore

/// What a chain must still hold: the heads periods were frozen on, and the heads signed
/// checkpoints name (given by the verifier, the daemon's own, and the newest of jcm.checkpoints).
/// A tail cut, a rollback to an older state and a rewritten period head all fail one of them.
extension LedgerVerifier {
    func checkAnchors(keys: [Int32: (key: [UInt8], from: Int32?, signature: [UInt8]?)]) throws {
        var periods: [String: [String: (seq: Int64?, hash: [UInt8]?)]] = [:]
        for row in try conns[0].query("""
            select p.project, p.name, p.head_seq, encode(p.head_hash, 'hex'), encode(l.chain_hash, 'hex')
            from jcm.monitoring_periods p left join jcm.ledger l on l.project = p.project and l.seq = p.head_seq
            """).rows {
            guard let project = row[0], let name = row[1] else { continue }
            if let only = scope.project, only != project { continue }
            let seq = row[2].flatMap(Int64.init)
            let hash = row[3].flatMap(LedgerDigest.bytes(hex:))
            periods[project, default: [:]][name] = (seq, hash)
            guard let seq else { continue }
            if row[4] == nil {
                found("period \(Self.name(project)) \(name): frozen on link #\(seq), which is gone (the chain's tail was cut)", "period head gone",
                      chain: project, at: .link(seq))
            } else if row[4].flatMap(LedgerDigest.bytes(hex:)) != hash {
                found("period \(Self.name(project)) \(name): its head hash is not that of link #\(seq) (the head or the chain was rewritten)",
                      "period head rewritten", chain: project, at: .link(seq))
            }
        }
        var notes = checkpoints
        if try conns[0].query("select to_regclass('jcm.checkpoints') is not null")[0, 0] == "t" {
            for row in try conns[0].query("""
                select c.note from (select project, max(size) as size from jcm.checkpoints group by project) m
                join lateral (select note from jcm.checkpoints c where c.project = m.project and c.size = m.size order by id desc limit 1) c on true
                union all select note from jcm.checkpoints where note like '%' || chr(10) || 'period %'
                """).rows {
                if let text = row[0], let parsed = try? Checkpoint.parse(text) { notes += parsed.map { ($0, "jcm.checkpoints") } }
            }
        }
        let trusted = keys.filter { accepted.contains($0.key) }.map(\.value.key)
        for (note, source) in notes {
            let c = note.checkpoint
            if let only = scope.project, only != c.project { continue }
            let at = "the checkpoint of \(Self.name(c.project)) at size \(c.size) (\(source))"
            guard trusted.contains(where: note.isSigned(by:)) else {
                found("\(at): not signed by \(scope.pinnedKey != nil ? "the pinned key" : "any key of jcm.signing_keys")", "checkpoint signature not valid",
                      chain: c.project, at: .link(c.size))
                continue
            }
            let link = try conns[0].query("select encode(chain_hash, 'hex') from jcm.ledger where project = $1 and seq = $2", [c.project, String(c.size)])[0, 0]
            if link == nil {
                let end = try conns[0].query("select max(seq) from jcm.ledger where project = $1", [c.project])[0, 0] ?? "0"
                found("chain \(Self.name(c.project)): \(at) has link #\(c.size), but the chain ends at #\(end): links removed (a tail cut or a rollback)",
                      "chain cut below a checkpoint", chain: c.project, at: .link(c.size))
            } else if link.flatMap(LedgerDigest.bytes(hex:)) != c.hash {
                found("chain \(Self.name(c.project)): link #\(c.size) is not the one \(at) signed (the chain was rewritten or rolled back)",
                      "chain rewritten below a checkpoint", chain: c.project, at: .link(c.size))
            }
            guard let name = c.period else { continue }
            if let p = periods[c.project]?[name] {
                if p.seq != c.size || p.hash != c.hash {
                    found("period \(Self.name(c.project)) \(name): frozen on link #\(p.seq.map(String.init) ?? "-"), not on #\(c.size) as its declaration's checkpoint (\(source)) signed: rewritten",
                          "period head rewritten", chain: c.project, at: .link(c.size))
                }
            } else {
                found("period \(Self.name(c.project)) \(name): declared (\(at)) but its row was deleted", "period deleted", chain: c.project, at: .link(c.size))
            }
        }
    }
}
