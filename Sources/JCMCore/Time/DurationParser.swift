/// Durations as configuration files write them: `500ms`, `30s`, `5m`, `1h`, `1h30m`.
public enum DurationParser {
    /// Milliseconds, or nil when the text is not a duration.
    public static func milliseconds(_ text: String) -> Int64? {
        var total: Int64 = 0
        var number: Int64 = 0
        var digits = 0
        var chars = Array(text.utf8)[...]
        guard !chars.isEmpty else { return nil }
        while let c = chars.first {
            if c >= 48, c <= 57 {
                let (m, o1) = number.multipliedReportingOverflow(by: 10)
                guard !o1 else { return nil }
                let (sum, o2) = m.addingReportingOverflow(Int64(c - 48))
                guard !o2 else { return nil }
                number = sum
                digits += 1
                chars.removeFirst()
                continue
            }
            guard digits > 0 else { return nil }
            let unit: Int64
            if chars.starts(with: "ms".utf8) {
                unit = 1
                chars.removeFirst(2)
            } else if c == UInt8(ascii: "s") {
                unit = 1_000
                chars.removeFirst()
            } else if c == UInt8(ascii: "m") {
                unit = 60_000
                chars.removeFirst()
            } else if c == UInt8(ascii: "h") {
                unit = 3_600_000
                chars.removeFirst()
            } else if c == UInt8(ascii: "d") {
                unit = 86_400_000
                chars.removeFirst()
            } else {
                return nil
            }
            let (p, o) = number.multipliedReportingOverflow(by: unit)
            guard !o else { return nil }
            let (sum, o3) = total.addingReportingOverflow(p)
            guard !o3 else { return nil }
            total = sum
            number = 0
            digits = 0
        }
        return digits == 0 ? total : nil
    }
}
