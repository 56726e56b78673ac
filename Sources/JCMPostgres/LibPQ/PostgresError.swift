import Foundation

/// An error from libpq or the server. Carries the SQLSTATE so callers can tell a duplicate key
/// (23505: fall back to the staging path) from a lost connection (retry). Never holds the
/// conninfo: passwords stay out of logs.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case connection
        case query
        case copy
        /// A row's cell was NULL or not of the type read (QueryRow): the query and the code disagree.
        case decode
    }

    public var kind: Kind
    /// Five-character SQLSTATE when the server sent one.
    public var sqlState: String?
    public var message: String
    public var detail: String?

    public init(kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
    }

    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// A row's data is at fault (data exception 22, integrity 23): the rest of its batch may pass.
    public var isDataError: Bool { sqlState?.hasPrefix("22") == true || sqlState?.hasPrefix("23") == true }

    /// The data or the statement itself is at fault (data exception 22, integrity 23, syntax or
    /// privileges 42): sending it again gives the same answer. Anything else (a lost link, a full
    /// disk, a standby during failover, a timeout) may pass, and is retried.
    public var isPermanent: Bool {
        if kind == .decode { return true }
        guard let sqlState else { return false }
        return sqlState.hasPrefix("22") || sqlState.hasPrefix("23") || sqlState.hasPrefix("42")
    }

    /// Class 08 (connection exception) or no SQLSTATE at all on a query: the link is gone.
    public var isConnectionLoss: Bool {
        kind == .connection || sqlState?.hasPrefix("08") == true || sqlState == "57P01"
            || (sqlState == nil && kind != .query && kind != .decode)
    }

    public var description: String {
        var text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let detail { text += ": \(detail)" }
        return text
    }
}
