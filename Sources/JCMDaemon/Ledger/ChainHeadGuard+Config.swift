import JCMCore
import JCMPostgres

extension ChainHeadGuard {
    /// The heads file of a writer using `state_dir`.
    public static func path(stateDir: String) -> String { stateDir + "/ledger/heads" }

    /// The guard of a writer signing with `signer`: its heads file in `state_dir/ledger/heads`,
    /// its own key and `daemon.ledger_writers` trusted.
    public static func forWriter(_ config: Config, signer: LedgerSigner, db: Connection) throws -> ChainHeadGuard {
        let database = try db.query("select id::text from jcm.database_identity order by created_at limit 1")[0, 0]
        return ChainHeadGuard(
            file: path(stateDir: config.daemon.stateDir),
            trusted: [signer.publicKey] + config.daemon.ledgerWriters.compactMap(LedgerDigest.bytes(hex:)),
            database: database)
    }
}
