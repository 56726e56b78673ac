import CLibPQ
import Foundation

/// One libpq connection. Owns its `PGconn` (finished in deinit, even after a failed connect).
/// libpq allows one thread at a time per connection: a Connection stays inside the service
/// that made it.
public final class Connection {
    let conn: OpaquePointer

    /// - Parameter conninfo: a libpq keyword/value string or URI; what it leaves out comes from
    ///   the PG* environment variables and service files, as for every libpq client.
    public init(conninfo: String) throws {
        // libpq's parse errors quote the text, password included: check it first, quietly.
        var parseError: UnsafeMutablePointer<CChar>?
        if let options = PQconninfoParse(conninfo, &parseError) {
            PQconninfoFree(options)
        } else {
            PQfreemem(parseError)
            throw PostgresError(
                kind: .connection,
                message: "the database connection string is not valid (libpq conninfo or postgresql:// URI)")
        }
        guard let conn = PQconnectdb(conninfo) else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        self.conn = conn
        guard PQstatus(conn) == CONNECTION_OK else {
            throw PostgresError(kind: .connection, message: "could not connect to PostgreSQL: " + Self.message(conn))
        }
        // Our bytes are UTF-8 whatever PGCLIENTENCODING or the role's settings say.
        guard PQsetClientEncoding(conn, "UTF8") == 0 else {
            throw PostgresError(kind: .connection, message: "cannot set client encoding UTF8: " + Self.message(conn))
        }
        // Quiet NOTICEs (e.g. "schema already exists") rather than print them on stderr.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
    }

    deinit { PQfinish(conn) }

    public var isHealthy: Bool { PQstatus(conn) == CONNECTION_OK }

    static func message(_ conn: OpaquePointer) -> String {
        String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs SQL with `$1…` parameters sent separately from the text (never interpolated).
    @discardableResult
    public func query(_ sql: String, _ params: [SQLParameter] = []) throws -> QueryResult {
        let result: OpaquePointer? = withCStrings(params.map(\.text)) { pointers in
            PQexecParams(conn, sql, Int32(params.count), nil, pointers, nil, nil, 0)
        }
        return try check(result, kind: .query)
    }

    /// Parameters given as their text alone, as the writer's and store's statements still send
    /// them; new code binds `SQLParameter`s, which say their type where they are made.
    @discardableResult
    public func query(_ sql: String, _ params: [String?]) throws -> QueryResult {
        try query(sql, params.map(SQLParameter.text))
    }

    /// Runs one or more statements without parameters (migrations, BEGIN/COMMIT).
    public func execute(_ sql: String) throws {
        _ = try check(PQexec(conn, sql), kind: .query)
    }

    func check(_ result: OpaquePointer?, kind: PostgresError.Kind) throws -> QueryResult {
        guard let result else {
            throw PostgresError(kind: .connection, message: Self.message(conn))
        }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_COPY_IN, PGRES_EMPTY_QUERY:
            return QueryResult(result)
        default:
            let error = Self.error(from: result, kind: PQstatus(conn) == CONNECTION_OK ? kind : .connection)
            PQclear(result)
            throw error
        }
    }

    static func error(from result: OpaquePointer, kind: PostgresError.Kind) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let p = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: p)
        }
        let message = field("M") ?? String(cString: PQresultErrorMessage(result))
        return PostgresError(kind: kind, sqlState: field("C"), message: message, detail: field("D"))
    }

    // MARK: COPY FROM STDIN

    /// Starts `COPY … FROM STDIN`; then `putCopyData` and `endCopy`.
    public func beginCopy(_ sql: String) throws {
        let result = try check(PQexec(conn, sql), kind: .copy)
        guard result.status == PGRES_COPY_IN else {
            throw PostgresError(kind: .copy, message: "server did not enter COPY IN mode")
        }
    }

    public func putCopyData(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        let rc = bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(conn, $0.baseAddress, Int32($0.count)) }
        guard rc == 1 else {
            throw PostgresError(kind: .connection, message: "COPY data not sent: " + Self.message(conn))
        }
    }

    public func putCopyData(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try putCopyData($0) }
    }

    /// Ends the COPY. Returns the rows copied.
    @discardableResult
    public func endCopy() throws -> Int {
        guard PQputCopyEnd(conn, nil) == 1 else {
            throw PostgresError(kind: .connection, message: "COPY end not sent: " + Self.message(conn))
        }
        var rows = 0
        var firstError: PostgresError?
        while let result = PQgetResult(conn) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                rows = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if firstError == nil {
                firstError = Self.error(from: result, kind: .copy)
            }
            PQclear(result)
        }
        if let firstError { throw firstError }
        return rows
    }
}

/// Calls `body` with C strings for the parameters, valid only during the call.
func withCStrings<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let storage: [UnsafeMutablePointer<CChar>?] = values.map { $0.map { strdup($0) } ?? nil }
    defer { for pointer in storage { free(pointer) } }
    return body(storage.map { $0.map { UnsafePointer($0) } })
}
