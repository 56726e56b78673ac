import CLibPQ

extension Connection {
    /// Starts `COPY (…) TO STDOUT` (text format); read it with `CopyOutCursor.next(into:)` to the
    /// end before the connection runs anything else.
    public func copyOut(_ sql: String) throws -> CopyOutCursor {
        guard let result = PQexec(conn, sql) else {
            throw PostgresError(kind: .connection, message: Self.message(conn))
        }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COPY_OUT else { throw Self.error(from: result, kind: .copy) }
        return CopyOutCursor(self)
    }

    /// Sends `COPY (…) TO STDOUT` and returns without waiting: the server runs the query while
    /// this connection's caller does other work, on another connection. (The server sends the
    /// COPY's start with its first rows, so `copyOut` waits until a sorting query has sorted
    /// everything.) Errors of the query come with the first `next(into:)`.
    public func sendCopyOut(_ sql: String) throws -> CopyOutCursor {
        guard PQsendQuery(conn, sql) == 1 else {
            throw PostgresError(kind: .connection, message: Self.message(conn))
        }
        return CopyOutCursor(self, started: false)
    }
}

/// One COPY OUT in progress: rows one at a time, so memory does not grow with the result.
public final class CopyOutCursor {
    private let db: Connection
    private var done = false
    /// False until the server's answer to a sent COPY has been read (`sendCopyOut`).
    private var started: Bool

    init(_ db: Connection, started: Bool = true) {
        self.db = db
        self.started = started
    }

    /// Reads the next row into `row` (its buffers are reused); false at the end.
    public func next(into row: inout CopyRow) throws -> Bool {
        guard !done else { return false }
        if !started {
            started = true
            guard let result = PQgetResult(db.conn) else {
                done = true
                throw PostgresError(kind: .connection, message: Connection.message(db.conn))
            }
            let status = PQresultStatus(result)
            if status != PGRES_COPY_OUT {
                done = true
                let failure = Connection.error(from: result, kind: .copy)
                PQclear(result)
                while let rest = PQgetResult(db.conn) { PQclear(rest) }
                throw failure
            }
            PQclear(result)
        }
        var buffer: UnsafeMutablePointer<CChar>?
        let n = PQgetCopyData(db.conn, &buffer, 0)
        if n >= 0, let buffer {
            defer { PQfreemem(buffer) }
            row.parse(UnsafeRawBufferPointer(start: buffer, count: Int(n)))
            return true
        }
        done = true
        if n == -2 {
            throw PostgresError(kind: .connection, message: "COPY data not received: " + Connection.message(db.conn))
        }
        var failure: PostgresError?
        while let result = PQgetResult(db.conn) {
            if PQresultStatus(result) != PGRES_COMMAND_OK, failure == nil {
                failure = Connection.error(from: result, kind: .copy)
            }
            PQclear(result)
        }
        if let failure { throw failure }
        return false
    }
}

/// A row of PostgreSQL's COPY text format (fields split by tabs, `\N` for NULL, backslash
/// escapes), unescaped into one buffer: fields are read as bytes without a String each.
public struct CopyRow {
    private var bytes: [UInt8] = []
    /// Start and end of each field in `bytes`; end -1: NULL.
    private var bounds: [(start: Int, end: Int)] = []

    public init() {}

    public var count: Int { bounds.count }

    public func isNull(_ i: Int) -> Bool { bounds[i].end < 0 }

    public func withField<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        let (start, end) = bounds[i]
        guard end >= 0 else { return body(nil) }
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    /// The whole row at once: its bytes and each field's bounds in them (end -1: NULL), for a
    /// reader of millions of rows that makes no String of a field it does not keep.
    public func withFields<R>(_ body: (UnsafeBufferPointer<UInt8>, [(start: Int, end: Int)]) throws -> R) rethrows -> R
    {
        try bytes.withUnsafeBufferPointer { try body($0, bounds) }
    }

    public func string(_ i: Int) -> String? { withField(i) { $0.map { String(decoding: $0, as: UTF8.self) } } }

    public func int64(_ i: Int) -> Int64? {
        withField(i) { utf8 in
            guard let utf8, !utf8.isEmpty else { return nil }
            var v: Int64 = 0
            var negative = false
            for (k, b) in utf8.enumerated() {
                if k == 0, b == UInt8(ascii: "-") {
                    negative = true
                    continue
                }
                guard b >= 48, b <= 57 else { return nil }
                v = v &* 10 &+ Int64(b - 48)
            }
            return negative ? -v : v
        }
    }

    public func int(_ i: Int) -> Int? { int64(i).map(Int.init) }

    mutating func parse(_ line: UnsafeRawBufferPointer) {
        bytes.removeAll(keepingCapacity: true)
        bounds.removeAll(keepingCapacity: true)
        var end = line.count
        if end > 0, line[end - 1] == 0x0A { end -= 1 }
        var start = 0
        var i = 0
        while true {
            if i == end || line[i] == 0x09 {
                let isNull =
                    bytes.count - start == 2 && bytes[start] == 0x5C && bytes[start + 1] == UInt8(ascii: "N") && rawNull
                if isNull { bytes.removeLast(2) }
                bounds.append((start, isNull ? -1 : bytes.count))
                rawNull = false
                if i == end { return }
                i += 1
                start = bytes.count
                continue
            }
            let b = line[i]
            if b == 0x5C, i + 1 < end {
                let next = line[i + 1]
                i += 2
                switch next {
                case UInt8(ascii: "N") where bytes.count == start && (i == end || line[i] == 0x09):
                    bytes.append(0x5C)
                    bytes.append(next)  // a lone \N: NULL, decided at the field's end
                    rawNull = true
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "v"): bytes.append(0x0B)
                default: bytes.append(next)  // \\ and any other escaped byte stand for themselves
                }
                continue
            }
            bytes.append(b)
            i += 1
        }
    }

    private var rawNull = false
}

extension CopyRow {
    /// Field `i`, a timestamptz as PostgreSQL writes it with DateStyle ISO and TimeZone UTC
    /// ("2026-01-01 00:15:00.5+00"), rewritten in place as RFC 3339 ("2026-01-01T00:15:00.5Z"):
    /// what jcm.rfc3339 makes of it, without the server's to_char for each of millions of rows.
    /// NULL stays NULL; any other shape (a session not in UTC, a year past 9999) is an error.
    public mutating func rewriteISOTimestampAsRFC3339(_ i: Int) throws {
        let (start, end) = bounds[i]
        guard end >= 0 else { return }
        guard end - start >= 22, bytes[start + 10] == UInt8(ascii: " "), bytes[end - 3] == UInt8(ascii: "+"),
            bytes[end - 2] == UInt8(ascii: "0"), bytes[end - 1] == UInt8(ascii: "0")
        else {
            let text = String(decoding: bytes[start..<end], as: UTF8.self)
            throw PostgresError(kind: .copy, message: "column \(i + 1) is not an ISO timestamp in UTC: \(text)")
        }
        bytes[start + 10] = UInt8(ascii: "T")
        bytes[end - 3] = UInt8(ascii: "Z")
        // The field's last two bytes go; the fields after it move up (a row: a few hundred bytes).
        bytes.removeSubrange((end - 2)..<end)
        bounds[i].end = end - 2
        for k in (i + 1)..<bounds.count {
            bounds[k].start -= 2
            if bounds[k].end >= 0 { bounds[k].end -= 2 }
        }
    }
}
