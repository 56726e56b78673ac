import CLibPQ

extension Connection {
    /// Starts `COPY (…) TO STDOUT` (text format); read it with `CopyOutCursor.next()` to the end
    /// before the connection runs anything else.
    public func copyOut(_ sql: String) throws -> CopyOutCursor {
        guard let result = PQexec(conn, sql) else { throw PostgresError(kind: .connection, message: Self.message(conn)) }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COPY_OUT else { throw Self.error(from: result, kind: .copy) }
        return CopyOutCursor(self)
    }
}

/// One COPY OUT in progress: rows one at a time, so memory does not grow with the result.
public final class CopyOutCursor {
    private let db: Connection
    private var done = false

    init(_ db: Connection) { self.db = db }

    /// The next row's fields (nil for NULL); nil at the end.
    public func next() throws -> [String?]? {
        guard !done else { return nil }
        var buffer: UnsafeMutablePointer<CChar>?
        let n = PQgetCopyData(db.conn, &buffer, 0)
        if n >= 0, let buffer {
            defer { PQfreemem(buffer) }
            return CopyText.fields(UnsafeRawBufferPointer(start: buffer, count: Int(n)))
        }
        done = true
        if n == -2 { throw PostgresError(kind: .connection, message: "COPY data not received: " + Connection.message(db.conn)) }
        var failure: PostgresError?
        while let result = PQgetResult(db.conn) {
            if PQresultStatus(result) != PGRES_COMMAND_OK, failure == nil { failure = Connection.error(from: result, kind: .copy) }
            PQclear(result)
        }
        if let failure { throw failure }
        return nil
    }
}

/// PostgreSQL's COPY text format: fields split by tabs, `\N` for NULL, backslash escapes.
enum CopyText {
    static func fields(_ line: UnsafeRawBufferPointer) -> [String?] {
        var out: [String?] = []
        var field: [UInt8] = []
        var i = 0
        var end = line.count
        if end > 0, line[end - 1] == 0x0A { end -= 1 }
        var isNull = false
        while i <= end {
            if i == end || line[i] == 0x09 {
                out.append(isNull ? nil : String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                isNull = false
                i += 1
                continue
            }
            let b = line[i]
            if b == 0x5C, i + 1 < end {
                let next = line[i + 1]
                i += 2
                switch next {
                case UInt8(ascii: "N") where field.isEmpty && (i == end || line[i] == 0x09): isNull = true
                case UInt8(ascii: "t"): field.append(0x09)
                case UInt8(ascii: "n"): field.append(0x0A)
                case UInt8(ascii: "r"): field.append(0x0D)
                case UInt8(ascii: "b"): field.append(0x08)
                case UInt8(ascii: "f"): field.append(0x0C)
                case UInt8(ascii: "v"): field.append(0x0B)
                default: field.append(next)  // \\ and any other escaped byte stand for themselves
                }
                continue
            }
            field.append(b)
            i += 1
        }
        return out
    }
}
