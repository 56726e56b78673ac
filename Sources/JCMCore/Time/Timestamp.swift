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
    public func formatted(fractionDigits: Int?) -> String {
        let seconds = microseconds.floorDiv(1_000_000)
        let micros = microseconds - seconds * 1_000_000
        let (days, secs) = (seconds.floorDiv(86_400), seconds - seconds.floorDiv(86_400) * 86_400)
        let (y, m, d) = CivilDate.fromDays(days)
        var text =
            "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secs / 3600, 2)):\(pad(secs % 3600 / 60, 2)):\(pad(secs % 60, 2))"
        var frac = pad(micros, 6)
        if let fractionDigits {
            frac = String(frac.prefix(fractionDigits))
        } else {
            while frac.hasSuffix("0") { frac.removeLast() }
        }
        if !frac.isEmpty { text += "." + frac }
        return text + "Z"
    }

    private func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
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
