import JCMCore
import JCMPostgres

extension ChainHeadGuard {
    /// The heads file of a writer using `state_dir`.
    public static func path(stateDir: String) -> String { stateDir + "/ledger/heads" }

    /// The guard of a writer signing with `signer`: its heads file in `state_dir/ledger/heads`,
    /// its own key, the keys it took over from (a rotation) and `daemon.ledger_writers` trusted.
    public static func forWriter(_ config: Config, signer: LedgerSigner, db: Connection) throws -> ChainHeadGuard {
        let database = try db.query("select id::text from jcm.database_identity order by created_at limit 1")[0, 0]
        return ChainHeadGuard(
            file: path(stateDir: config.daemon.stateDir),
            trusted: [signer.publicKey] + (try handedOver(to: signer.publicKey, db: db))
                + config.daemon.ledgerWriters.compactMap(LedgerDigest.bytes(hex:)),
            database: database)
    }

    /// The keys `key` took over from, through handovers each signed by the key it leaves
    /// (KeyHandover), newest first: heads they signed are this writer's own from before its
    /// rotation. A handover that does not verify ends the walk.
    static func handedOver(to key: [UInt8], db: Connection) throws -> [[UInt8]] {
        let rows = try db.query(
            """
            with recursive h(id, handover_from, public_key, handover_signature, depth) as (
                select id, handover_from, public_key, handover_signature, 0 from jcm.signing_keys where public_key = decode($1, 'hex')
                union all
                select k.id, k.handover_from, k.public_key, k.handover_signature, h.depth + 1
                from jcm.signing_keys k join h on k.id = h.handover_from where h.depth < 100)
            select encode(public_key, 'hex'), encode(handover_signature, 'hex') from h order by depth
            """, [LedgerDigest.hex(key)]
        ).map { row in (try row.nullable.bytes(0), try row.nullable.bytes(1)) }
        var out: [[UInt8]] = []
        for (newer, older) in zip(rows, rows.dropFirst()) {
            guard let new = newer.0, let signature = newer.1, let old = older.0,
                LedgerSigner.isValid(signature: signature, of: KeyHandover.record(from: old, to: new), publicKey: old)
            else { break }
            out.append(old)
        }
        return out
    }
}
