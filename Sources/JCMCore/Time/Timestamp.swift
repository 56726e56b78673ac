import Foundation

/// An instant as microseconds since 1970-01-01T00:00:00Z: PostgreSQL's own resolution, so what
/// is stored is exactly what was parsed.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }
    public init(seconds: Double) { self.microseconds = Int64((seconds * 1_000_000).rounded(.down)) }
    public init(date: Date) { self.init(seconds: date.timeIntervalSince1970) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    public var date: Date { Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }

    /// RFC 3339 in UTC with as many fractional digits as needed.
    public var description: String { formatted(fractionDigits: nil) }

    /// RFC 3339 in UTC; `fractionDigits` fixes the digits after the second (0...6), nil trims them.
    /// Written into the string's storage at once: the writer spells out several timestamps a
    /// poll (jcm.meter_state), and piecing the text together was a dozen allocations each.
    public func formatted(fractionDigits: Int?) -> String {
        let seconds = microseconds.floorDiv(1_000_000)
        let days = seconds.floorDiv(86_400)
        let secs = seconds - days * 86_400
        let (y, m, d) = CivilDate.fromDays(days)
        var fraction = microseconds - seconds * 1_000_000
        var width = 6
        if let fractionDigits {
            for _ in 0..<(6 - max(0, min(6, fractionDigits))) {
                fraction /= 10
                width -= 1
            }
        } else {
            while width > 0, fraction % 10 == 0 {
                fraction /= 10
                width -= 1
            }
        }
        return String(unsafeUninitializedCapacity: 40) { out in
            var at = 0
            func put(_ byte: UInt8) {
                out[at] = byte
                at += 1
            }
            /// `v` (not negative) in at least `width` digits.
            func put(_ v: Int64, _ width: Int) {
                var digits = 1
                var rest = v / 10
                while rest > 0 {
                    digits += 1
                    rest /= 10
                }
                for _ in digits..<max(digits, width) { put(0x30) }
                var v = v
                for i in stride(from: at + digits - 1, through: at, by: -1) {
                    out[i] = 0x30 + UInt8(v % 10)
                    v /= 10
                }
                at += digits
            }
            if y < 0 { put(0x2D) }
            put(abs(y), 4)
            put(0x2D)
            put(m, 2)
            put(0x2D)
            put(d, 2)
            put(0x54)
            put(secs / 3600, 2)
            put(0x3A)
            put(secs % 3600 / 60, 2)
            put(0x3A)
            put(secs % 60, 2)
            if width > 0 {
                put(0x2E)
                put(fraction, width)
            }
            put(0x5A)
            return at
        }
    }
}

extension Int64 {
    func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithms).
enum CivilDate {
    static func toDays(_ y: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func fromDays(_ z: Int64) -> (Int64, Int64, Int64) {
        let z = z + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
