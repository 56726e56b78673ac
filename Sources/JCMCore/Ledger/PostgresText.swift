/// The text PostgreSQL prints for values the daemon sends in binary, so the writer can hash a row
/// exactly as `value::text` and `extra::text` read it back, without asking the server.
public enum PostgresText {
    /// `numeric` keeps the scale it was given: ExactDecimal's description is numeric_out's text.
    public static func numeric(_ d: ExactDecimal) -> String { d.description }

    /// A text column's value: PostgreSQL's text cannot hold NUL, so the writer sends U+FFFD for it.
    public static func text(_ s: String) -> String {
        s.utf8.contains(0) ? s.replacingOccurrences(of: "\0", with: "\u{FFFD}") : s
    }

    /// `text[]` of reason codes as array_out prints it. Codes are `[a-z0-9_]+`, never quoted.
    public static func reasons(_ codes: [ReasonCode]) -> String? {
        codes.isEmpty ? nil : "{" + codes.map(\.rawValue).joined(separator: ",") + "}"
    }

    /// jsonb's text of a JSON document: keys sorted by length then bytes, a repeated key keeping
    /// its last value, `": "` and `", "` between members, numbers as numeric prints them.
    /// nil when the text is not JSON (the server refuses such a row anyway).
    public static func jsonb(_ json: String) -> String? {
        guard let value = try? JSON.parse(json) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(json.utf8.count + 16)
        write(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func write(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let literal): out.append(contentsOf: numeric(literal: literal).utf8)
        case .string(let s): JSONWriter.writeString(s, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, e) in elements.enumerated() {
                if i > 0 { out.append(contentsOf: ", ".utf8) }
                write(e, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            let order = object.keys.indices.sorted { a, b in
                let x = object.keys[a].utf8
                let y = object.keys[b].utf8
                return x.count != y.count ? x.count < y.count : x.lexicographicallyPrecedes(y)
            }
            out.append(UInt8(ascii: "{"))
            for (n, i) in order.enumerated() {
                if n > 0 { out.append(contentsOf: ", ".utf8) }
                JSONWriter.writeString(object.keys[i], to: &out)
                out.append(contentsOf: ": ".utf8)
                write(object.values[i], to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// numeric_out of numeric_in(literal) for a JSON number: exact, no exponent, the scale is the
    /// fraction digits less the exponent (never below 0), and zero has no sign.
    static func numeric(literal: String) -> String {
        var s = Substring(literal)
        let negative = s.first == "-"
        if negative || s.first == "+" { s.removeFirst() }
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(s[s.index(after: e)...]) ?? 0
            s = s[..<e]
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count > 1 ? parts[1] : ""
        var digits = Array(whole + fraction)
        var point = whole.count + exponent  // digits before the point
        let scale = max(0, fraction.count - exponent)
        if point < 0 {
            digits.insert(contentsOf: repeatElement("0", count: -point), at: 0)
            point = 0
        }
        if digits.count < point + scale {
            digits.append(contentsOf: repeatElement("0", count: point + scale - digits.count))
        }
        var intPart = String(digits[..<point]).drop { $0 == "0" }
        if intPart.isEmpty { intPart = "0" }
        let fracPart = String(digits[point..<(point + scale)])
        let text = scale > 0 ? intPart + "." + fracPart : String(intPart)
        let zero = !digits.contains { $0 != "0" }
        return negative && !zero ? "-" + text : text
    }
}
