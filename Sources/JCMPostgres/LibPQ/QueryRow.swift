import CLibPQ
import JCMCore

/// One row of a result, read by type: `row.bool(1)`, `row.int64(0)`, `row.decimal(2)`,
/// `row.timestamp(3)`. A NULL, or text that is not of the type, throws an error naming the
/// column (its name and position) and the text; `row.nullable` reads the same types as optionals.
public struct QueryRow {
    let result: QueryResult
    public let index: Int

    public var columnCount: Int { result.columnCount }
    public func isNull(_ column: Int) -> Bool { result[index, column] == nil }

    public var nullable: Nullable { Nullable(row: self) }

    public func string(_ column: Int) throws -> String { try value(column, "text", { $0 }) }
    public func bool(_ column: Int) throws -> Bool { try value(column, "boolean", Self.bool) }
    public func int(_ column: Int) throws -> Int { try value(column, "integer", { Int($0) }) }
    public func int32(_ column: Int) throws -> Int32 { try value(column, "integer", { Int32($0) }) }
    public func int64(_ column: Int) throws -> Int64 { try value(column, "bigint", { Int64($0) }) }
    public func decimal(_ column: Int) throws -> ExactDecimal {
        try value(column, "numeric", { ExactDecimal(parsing: $0) })
    }
    /// timestamptz as PostgreSQL prints it with DateStyle ISO ("2026-11-01 00:00:00.5+05:30").
    public func timestamp(_ column: Int) throws -> Timestamp { try value(column, "timestamptz", Self.timestamp) }
    /// bytea in its hex form (bytea_output = hex, the default).
    public func bytes(_ column: Int) throws -> [UInt8] { try value(column, "bytea", LedgerDigest.bytes(hex:)) }

    /// The same reads, nil for NULL; text not of the type still throws.
    public struct Nullable {
        let row: QueryRow
        public func string(_ column: Int) throws -> String? { try read(column, row.string) }
        public func bool(_ column: Int) throws -> Bool? { try read(column, row.bool) }
        public func int(_ column: Int) throws -> Int? { try read(column, row.int) }
        public func int32(_ column: Int) throws -> Int32? { try read(column, row.int32) }
        public func int64(_ column: Int) throws -> Int64? { try read(column, row.int64) }
        public func decimal(_ column: Int) throws -> ExactDecimal? { try read(column, row.decimal) }
        public func timestamp(_ column: Int) throws -> Timestamp? { try read(column, row.timestamp) }
        public func bytes(_ column: Int) throws -> [UInt8]? { try read(column, row.bytes) }

        private func read<T>(_ column: Int, _ typed: (Int) throws -> T) throws -> T? {
            row.isNull(column) ? nil : try typed(column)
        }
    }

    private func value<T>(_ column: Int, _ type: String, _ parse: (String) -> T?) throws -> T {
        guard column >= 0, column < result.columnCount else {
            throw PostgresError(
                kind: .decode, message: "no column \(column) in a row of \(result.columnCount) (asked for \(type))")
        }
        guard let text = result[index, column] else {
            throw PostgresError(kind: .decode, message: "column \(name(column)) of row \(index) is NULL, not \(type)")
        }
        guard let v = parse(text) else {
            throw PostgresError(
                kind: .decode,
                message: "column \(name(column)) of row \(index): \"\(text.prefix(80))\" is not \(type)")
        }
        return v
    }

    private func name(_ column: Int) -> String { "\"\(result.columnName(column))\" (\(column))" }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "t": true
        case "f": false
        default: nil
        }
    }

    static func timestamp(_ text: String) -> Timestamp? { try? TimestampParser().parse(text) }
}

extension QueryResult: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { rowCount }
    public subscript(position: Int) -> QueryRow { QueryRow(result: self, index: position) }

    public func columnName(_ column: Int) -> String { String(cString: PQfname(result, Int32(column))) }
}
