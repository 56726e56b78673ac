import Foundation

public enum TimestampError: Error, Equatable, Sendable {
    /// Not RFC 3339 / ISO 8601; the message says where it stopped making sense.
    case invalid(String)
    /// A local time with no offset, and no time zone declared for its meter or folder.
    case noOffset
}

/// Parses RFC 3339 / ISO 8601 date-times: `2026-11-26T10:15:30Z`, `...30.5+05:30`, `...30+0530`,
/// a space instead of `T`, seconds optional, up to 9 fractional digits (kept to the microsecond,
/// truncated, as PostgreSQL stores them). A time without an offset is read in `zone` when given,
/// else refused: guessing the zone of a meter's clock would silently shift every reading.
public struct TimestampParser: Sendable {
    public var zone: TimeZone?

    public init(zone: TimeZone? = nil) { self.zone = zone }

    public func parse(_ text: String) throws(TimestampError) -> Timestamp {
        var copy = text
        let result = copy.withUTF8 { bytes in Result { () throws(TimestampError) in try parse(utf8: bytes) } }
        return try result.get()
    }

    public func parse(utf8 b: UnsafeBufferPointer<UInt8>) throws(TimestampError) -> Timestamp {
        var i = 0
        func number(_ width: Int, _ what: String) throws(TimestampError) -> Int64 {
            guard i + width <= b.count else { throw .invalid("\(what) is missing") }
            var v: Int64 = 0
            for k in i..<(i + width) {
                let c = b[k]
                guard c >= 48, c <= 57 else { throw .invalid("\(what) is not \(width) digits") }
                v = v * 10 + Int64(c - 48)
            }
            i += width
            return v
        }
        func expect(_ c: UInt8, _ what: String) throws(TimestampError) {
            guard i < b.count, b[i] == c else { throw .invalid("expected \(what)") }
            i += 1
        }
        let year = try number(4, "year")
        try expect(UInt8(ascii: "-"), "'-' after the year")
        let month = try number(2, "month")
        try expect(UInt8(ascii: "-"), "'-' after the month")
        let day = try number(2, "day")
        guard month >= 1, month <= 12 else { throw .invalid("month \(month) out of range") }
        guard day >= 1, day <= CivilDate.daysInMonth(year, month) else { throw .invalid("day \(day) out of range") }
        guard i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ") else {
            throw .invalid("a time is required after the date")
        }
        i += 1
        let hour = try number(2, "hour")
        try expect(UInt8(ascii: ":"), "':' after the hour")
        let minute = try number(2, "minute")
        var second: Int64 = 0
        var micros: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ":") {
            i += 1
            second = try number(2, "second")
            if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                i += 1
                var digits = 0
                while i < b.count, b[i] >= 48, b[i] <= 57 {
                    if digits < 6 { micros = micros * 10 + Int64(b[i] - 48) }
                    digits += 1
                    i += 1
                }
                guard digits > 0, digits <= 9 else { throw .invalid("fraction of a second needs 1 to 9 digits") }
                if digits < 6 { for _ in digits..<6 { micros *= 10 } }
            }
        }
        guard hour <= 23, minute <= 59, second <= 59 else { throw .invalid("time of day out of range") }
        var offsetSeconds: Int64?
        if i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
                offsetSeconds = 0
                i += 1
            } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                i += 1
                let oh = try number(2, "offset hours")
                var om: Int64 = 0
                if i < b.count {
                    if b[i] == UInt8(ascii: ":") { i += 1 }
                    om = try number(2, "offset minutes")
                }
                guard oh <= 23, om <= 59 else { throw .invalid("offset out of range") }
                offsetSeconds = (oh * 3600 + om * 60) * (c == UInt8(ascii: "-") ? -1 : 1)
            } else {
                throw .invalid("unexpected text after the time")
            }
        }
        guard i == b.count else { throw .invalid("unexpected text after the offset") }
        let local = (CivilDate.toDays(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
        if let offsetSeconds {
            return Timestamp(microseconds: (local - offsetSeconds) * 1_000_000 + micros)
        }
        guard let zone else { throw .noOffset }
        return Timestamp(microseconds: (local - Self.offset(of: zone, atLocal: local)) * 1_000_000 + micros)
    }

    /// The zone's offset for a wall-clock time, as PostgreSQL resolves `timestamp AT TIME ZONE`:
    /// a time that occurs twice (clocks turned back) takes the later instant; a time that never
    /// occurs (clocks turned forward) takes the offset in force before the change.
    static func offset(of zone: TimeZone, atLocal local: Int64) -> Int64 {
        func offset(atInstant t: Int64) -> Int64 {
            Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t))))
        }
        // Transitions are far more than a day apart, so the offsets a day either side are the
        // only candidates.
        let before = offset(atInstant: local - 86_400)
        let after = offset(atInstant: local + 86_400)
        let valid = Set([before, after]).filter { offset(atInstant: local - $0) == $0 }
        if let latest = valid.min() { return latest }
        return before
    }
}
