import JCMCore
import JCMPostgres
import Logging

/// A connection made ready to ingest: schema migrated, configuration mirrored, validator
/// seeded with what the database already holds, the ledger's signing key loaded. Shared by the daemon's writer and `ingest`.
public struct IngestContext {
    public var store: ReadingStore
    public var validator: ReadingValidator
    /// The chain heads this writer may extend (the one given, or its own).
    public var heads: ChainHeadGuard

    /// - Parameter heads: the chain heads this writer may extend; nil: a guard of its own, over
    ///   `state_dir/ledger/heads` (ChainHeadGuard.forWriter).
    public static func open(conninfo: String, config: Config, logger: Logger, heads: ChainHeadGuard? = nil) throws
        -> IngestContext
    {
        // Set up on a connection of its own, closed after: what follows writes on a new one
        // (ReadingStore.moved).
        let setup = try Connection(conninfo: conninfo)
        try Migrator.migrate(setup, logger: logger)
        let signer = try SigningKeyFile.forWriting(stateDir: config.daemon.stateDir, db: setup)
        let heads = try heads ?? ChainHeadGuard.forWriter(config, signer: signer, db: setup)
        let synced = try ReadingStore(db: setup, signer: signer, heads: heads)
        let keys = try synced.sync(config)
        let store = synced.moved(to: try Connection(conninfo: conninfo))
        var validator = ReadingValidator(
            registry: MeterRegistry(meters: config.meters, keys: keys, projects: config.projects),
            clockSkewMilliseconds: config.daemon.clockSkewMilliseconds)
        for last in try store.newestCumulative() {
            validator.seed(meterKey: last.meter, timestamp: last.timestamp, value: last.value)
        }
        return IngestContext(store: store, validator: validator, heads: heads)
    }
}
