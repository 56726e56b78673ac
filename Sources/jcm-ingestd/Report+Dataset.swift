import JCMCore
import JCMPostgres

/// The period's dataset, read on a second connection that shares the report's snapshot. Its COPY
/// starts before the report's other queries, so the server evaluates and sorts the series for it
/// on one core while it computes the totals on another; the rows are read when the output needs
/// them. Read once: a second read, or a report that reads none early (text), runs the COPY on
/// the report's own connection.
final class EarlyDataset {
    private let store: PeriodStore
    private let period: MonitoringPeriod
    private var connection: Connection?
    private var cursor: CopyOutCursor?

    init(store: PeriodStore, period: MonitoringPeriod, conninfo: String, start: Bool) throws {
        self.store = store
        self.period = period
        guard start else { return }
        let snapshot = try store.db.query("select pg_export_snapshot()")[0].string(0)
        // SET TRANSACTION SNAPSHOT takes no parameter: the server's own snapshot id is the one
        // text spliced in, and only when it is nothing but that (as LedgerVerifier does).
        guard !snapshot.isEmpty, snapshot.allSatisfy({ $0 == "-" || $0.isHexDigit }) else {
            throw ValidationErrorMessage("the server exported no usable snapshot (\(snapshot))")
        }
        let c = try Connection(conninfo: conninfo)
        try c.execute("begin isolation level repeatable read read only")
        try c.execute("set transaction snapshot '\(snapshot)'")
        cursor = try PeriodStore(db: c).startDataset(period, early: true)
        connection = c
    }

    /// Each row of the dataset in `PeriodStore.datasetColumns` order.
    func rows(_ row: (CopyRow) throws -> Void) throws {
        guard let cursor else { return try store.dataset(period, row: row) }
        self.cursor = nil
        var r = CopyRow()
        while try PeriodStore.nextDatasetRow(cursor, into: &r) { try row(r) }
        connection = nil
    }
}
