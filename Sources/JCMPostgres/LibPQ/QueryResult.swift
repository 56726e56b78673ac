import CLibPQ

/// A query's rows: typed through `QueryRow` (iterate it, or `result[0].int64(0)`), or as text
/// (`rows`, for printing tables). Owns its `PGresult` and clears it in deinit.
public final class QueryResult {
    let result: OpaquePointer

    init(_ result: OpaquePointer) { self.result = result }
    deinit { PQclear(result) }

    var status: ExecStatusType { PQresultStatus(result) }

    public var rowCount: Int { Int(PQntuples(result)) }
    public var columnCount: Int { Int(PQnfields(result)) }

    /// Rows affected by INSERT/UPDATE/DELETE/COPY.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

    /// The text of a cell; nil when SQL NULL.
    public subscript(row: Int, column: Int) -> String? {
        if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
        return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
    }

    /// Every cell as text, for what prints a table as it came; code that reads values uses `QueryRow`.
    public var rows: [[String?]] {
        (0..<rowCount).map { r in (0..<columnCount).map { self[r, $0] } }
    }
}
