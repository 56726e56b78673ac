import Glibc

/// The `Date` header value (RFC 9110 IMF-fixdate), recomputed at most once a
/// second: a busy server answers thousands of requests within the same second.
/// Formatted by hand so neither the C locale nor a DateFormatter (not thread-safe
/// to share) is involved.
struct HTTPDateHeader {
    private var cachedSecond: time_t = -1
    private var cachedValue = ""

    mutating func current() -> String {
        let now = time(nil)
        if now != cachedSecond {
            cachedSecond = now
            cachedValue = Self.format(now)
        }
        return cachedValue
    }

    static func format(_ seconds: time_t) -> String {
        var t = seconds
        var parts = tm()
        gmtime_r(&t, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
