import JCMCore

/// What a chain must still hold: the heads periods were frozen on, and the heads signed
/// checkpoints name (given by the verifier, the daemon's own, and the newest of jcm.checkpoints).
/// A tail cut, a rollback to an older state and a rewritten period head all fail one of them.
extension LedgerVerifier {
    /// Rows of the plan tables that are not as their plan version has them: a meter changed in
    /// jcm.meters alone, a period whose frozen methodology hash or values are not its version's.
    func checkPlan() throws {
        for row in try conns[0].query(
            """
            select m.id, m.project, concat_ws(' ', m.project, m.parameter, m.kind, m.unit), concat_ws(' ', e->>'project', e->>'parameter', e->>'kind', e->>'unit'),
                   (select max(version) from jcm.plan_versions)
            from jcm.meters m
            join (select e from jcm.plan_versions v, jsonb_array_elements(v.plan->'meters') e
                  where v.version = (select max(version) from jcm.plan_versions)) x on x.e->>'id' = m.id
            where (m.project, m.parameter, m.kind, m.unit) is distinct from (e->>'project', e->>'parameter', e->>'kind', e->>'unit')
            """
        ) {
            let project = try row.string(1)
            if let only = scope.project, project != only { continue }
            let (meter, stored, version, planned) = (
                try row.string(0), try row.string(2), try row.int64(4), try row.string(3)
            )
            found(
                "meter \(meter): jcm.meters has it as \(stored), plan version \(version) as \(planned) (changed in place)",
                "meter not as its plan version", chain: project, at: nil)
        }
        guard
            try conns[0].query(
                """
                select count(*) from information_schema.columns where table_schema = 'jcm' and table_name = 'monitoring_periods' and column_name = 'plan_version'
                """)[0].int(0) == 1
        else { return }
        for row in try conns[0].query(
            """
            select p.project, p.name, p.plan_version, v.version
            from jcm.monitoring_periods p
            left join jcm.plan_versions v on v.version = p.plan_version
            left join lateral (select e from jsonb_array_elements(v.plan->'projects') e where e->>'id' = p.project) e on true
            where p.plan_version is not null
              and (v.version is null or p.methodology_sha256 is distinct from e.e->>'calculation_sha256' or p.plan_values is distinct from e.e->'values')
            """
        ) {
            let project = try row.string(0)
            if let only = scope.project, project != only { continue }
            let (name, version) = (try row.string(1), try row.int64(2))
            found(
                "period \(Self.name(project)) \(name): its frozen methodology hash or values are not those of plan version \(version)\(row.isNull(3) ? " (missing)" : "") (rewritten)",
                "period inputs not as its plan version", chain: project, at: nil)
        }
    }

    func checkAnchors(keys: [Int32: (key: [UInt8], from: Int32?, signature: [UInt8]?)]) throws {
        var periods: [String: [String: (seq: Int64?, hash: [UInt8]?)]] = [:]
        for row in try conns[0].query(
            """
            select p.project, p.name, p.head_seq, encode(p.head_hash, 'hex'), encode(l.chain_hash, 'hex')
            from jcm.monitoring_periods p left join jcm.ledger l on l.project = p.project and l.seq = p.head_seq
            """
        ) {
            let project = try row.string(0)
            let name = try row.string(1)
            if let only = scope.project, only != project { continue }
            let seq = try row.nullable.int64(2)
            let hash = try row.nullable.bytes(3)
            periods[project, default: [:]][name] = (seq, hash)
            guard let seq else { continue }
            if row.isNull(4) {
                found(
                    "period \(Self.name(project)) \(name): frozen on link #\(seq), which is gone (the chain's tail was cut)",
                    "period head gone",
                    chain: project, at: .link(seq))
            } else if try row.bytes(4) != hash {
                found(
                    "period \(Self.name(project)) \(name): its head hash is not that of link #\(seq) (the head or the chain was rewritten)",
                    "period head rewritten", chain: project, at: .link(seq))
            }
        }
        try checkPlan()
        var notes = checkpoints
        if try conns[0].query("select to_regclass('jcm.checkpoints') is not null")[0].bool(0) {
            for row in try conns[0].query(
                """
                select c.note from (select project, max(size) as size from jcm.checkpoints group by project) m
                join lateral (select note from jcm.checkpoints c where c.project = m.project and c.size = m.size order by id desc limit 1) c on true
                union all select note from jcm.checkpoints where note like '%' || chr(10) || 'period %'
                """
            ) {
                if let parsed = try? Checkpoint.parse(try row.string(0)) {
                    notes += parsed.map { ($0, "jcm.checkpoints") }
                }
            }
        }
        let trusted = keys.filter { accepted.contains($0.key) }.map(\.value.key)
        for (note, source) in notes {
            let c = note.checkpoint
            if let only = scope.project, only != c.project { continue }
            let at = "the checkpoint of \(Self.name(c.project)) at size \(c.size) (\(source))"
            guard trusted.contains(where: note.isSigned(by:)) else {
                found(
                    "\(at): not signed by \(scope.pinnedKey != nil ? "the pinned key" : "any key of jcm.signing_keys")",
                    "checkpoint signature not valid",
                    chain: c.project, at: .link(c.size))
                continue
            }
            let link = try conns[0].query(
                "select encode(chain_hash, 'hex') from jcm.ledger where project = $1 and seq = $2",
                [.text(c.project), .int(c.size)]
            ).first.map { try $0.bytes(0) }
            if link == nil {
                let end =
                    try conns[0].query("select max(seq) from jcm.ledger where project = $1", [.text(c.project)])[0]
                    .nullable.int64(0) ?? 0
                found(
                    "chain \(Self.name(c.project)): \(at) has link #\(c.size), but the chain ends at #\(end): links removed (a tail cut or a rollback)",
                    "chain cut below a checkpoint", chain: c.project, at: .link(c.size))
            } else if link != c.hash {
                found(
                    "chain \(Self.name(c.project)): link #\(c.size) is not the one \(at) signed (the chain was rewritten or rolled back)",
                    "chain rewritten below a checkpoint", chain: c.project, at: .link(c.size))
            }
            guard let name = c.period else { continue }
            if let p = periods[c.project]?[name] {
                if p.seq != c.size || p.hash != c.hash {
                    found(
                        "period \(Self.name(c.project)) \(name): frozen on link #\(p.seq.map(String.init) ?? "-"), not on #\(c.size) as its declaration's checkpoint (\(source)) signed: rewritten",
                        "period head rewritten", chain: c.project, at: .link(c.size))
                }
            } else {
                found(
                    "period \(Self.name(c.project)) \(name): declared (\(at)) but its row was deleted",
                    "period deleted", chain: c.project, at: .link(c.size))
            }
        }
    }
}
