import Foundation

/// Typed readers for the monitoring-plan keys: exact decimals, bounds, quantities with units and
/// dates.
extension TableReader {
    /// An integer or float, as an exact decimal. A float keeps the digits it was written with
    /// (its shortest round-trip form), not a binary approximation.
    mutating func decimal(_ key: String) -> ExactDecimal? {
        guard let node = node(key) else { return nil }
        return decimal(node, key)
    }

    private mutating func decimal(_ node: TOMLNode, _ key: String) -> ExactDecimal? {
        switch node.value {
        case .integer(let v): return ExactDecimal(significand: Int128(v), scale: 0)
        case .float(let v) where v.isFinite:
            if let d = ExactDecimal(parsing: "\(v)") { return d }
        default: break
        }
        problem(key, "must be a number")
        return nil
    }

    /// `[min, max]`, min ≤ max.
    mutating func bounds(_ key: String) -> Config.Bounds? {
        guard let node = node(key) else { return nil }
        guard case .array(let items) = node.value, items.count == 2 else {
            problem(key, "must be [min, max]")
            return nil
        }
        guard let lo = decimal(items[0], key), let hi = decimal(items[1], key) else { return nil }
        guard lo <= hi else {
            problem(key, "min \(lo) is above max \(hi)")
            return nil
        }
        return Config.Bounds(min: lo, max: hi)
    }

    /// A date or date-time: TOML's own (`2025-04-01`, `2025-04-01T00:00:00+05:30`) or a string.
    /// A date alone means its midnight; without an offset, `zone` (else UTC) places it.
    mutating func instant(_ key: String, zone: String?) -> Timestamp? {
        guard let node = node(key) else { return nil }
        let text: String
        switch node.value {
        case .datetime(let t), .string(let t): text = t
        default:
            problem(key, "must be a date (2025-04-01) or a date-time (2025-04-01T00:00:00+05:30)")
            return nil
        }
        let full = text.count == 10 ? text + "T00:00:00" : text
        let parser = TimestampParser(zone: zone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC"))
        do {
            return try parser.parse(full)
        } catch {
            problem(key, "\"\(text)\" is not a date or date-time")
            return nil
        }
    }

    /// A percentage such as "0.5%", in percent.
    mutating func percent(_ key: String) -> ExactDecimal? {
        guard let text = string(key) else { return nil }
        guard text.hasSuffix("%"), let v = ExactDecimal(parsing: text.dropLast()), !v.isNegative,
            v <= ExactDecimal(significand: 100, scale: 0)
        else {
            problem(key, "\"\(text)\" is not a percentage between 0% and 100% (e.g. \"0.5%\")")
            return nil
        }
        return v
    }
}
