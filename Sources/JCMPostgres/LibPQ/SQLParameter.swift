import JCMCore

/// A value bound to `$n`: typed where it is made, sent as the text PostgreSQL reads for its type
/// (libpq's text protocol; the statement's context gives the type). SQL text is never built from
/// values: what varies is a parameter.
public struct SQLParameter: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
    /// nil is SQL NULL.
    public let text: String?

    private init(text: String?) { self.text = text }

    public init(stringLiteral value: String) { text = value }
    public init(integerLiteral value: Int64) { text = String(value) }
    public init(booleanLiteral value: Bool) { text = value ? "t" : "f" }
    public init(nilLiteral: ()) { text = nil }

    public static let null = SQLParameter(text: nil)

    public static func text(_ s: String?) -> SQLParameter { SQLParameter(text: s) }
    public static func int(_ n: (some BinaryInteger)?) -> SQLParameter { SQLParameter(text: n.map { String($0) }) }
    public static func bool(_ b: Bool?) -> SQLParameter { SQLParameter(text: b.map { $0 ? "t" : "f" }) }
    /// numeric: the decimal's own digits and scale, as numeric_in reads them.
    public static func decimal(_ d: ExactDecimal?) -> SQLParameter { SQLParameter(text: d?.description) }
    /// timestamptz: RFC 3339 in UTC to the microsecond, whatever the session's TimeZone.
    public static func timestamp(_ t: Timestamp?) -> SQLParameter { SQLParameter(text: t?.description) }
    /// text[] (a nil item is NULL).
    public static func textArray(_ items: [String?]) -> SQLParameter { SQLParameter(text: PostgresArray.text(items)) }
    /// integer[] / bigint[].
    public static func intArray(_ items: [some BinaryInteger]) -> SQLParameter {
        SQLParameter(text: "{" + items.map { String($0) }.joined(separator: ",") + "}")
    }
    /// bytea, in its hex form.
    public static func bytes(_ b: [UInt8]?) -> SQLParameter {
        SQLParameter(text: b.map { "\\x" + LedgerDigest.hex($0) })
    }
}
