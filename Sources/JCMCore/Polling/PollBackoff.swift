import Foundation

/// When a failing meter is polled next. Each failure in a row doubles the longest wait (one
/// interval, two, four ...) up to `capMs`, and the wait is drawn between half of that and all of
/// it ("equal jitter"): meters that failed together, a gateway's or a site's, come back spread
/// over the wait rather than all in the same second of it. A server's Retry-After (429, 503) is
/// honoured when it asks for longer, up to an hour. The next poll stays on the meter's grid.
public enum PollBackoff {
    public static let longestRetryAfterMs: Int64 = 3_600_000

    /// `draw` picks the wait out of its range (random; a test passes its own).
    public static func nextDue(
        _ schedule: PollSchedule, afterMs now: Int64, failures: Int, retryAfterMs: Int64? = nil, capMs: Int64,
        draw: (ClosedRange<Int64>) -> Int64 = { Int64.random(in: $0) }
    ) -> Int64 {
        var wait: Int64 = 0
        if failures > 1 {
            let doublings = Int64(min(failures - 1, 30))
            let (grown, overflow) = schedule.intervalMs.multipliedReportingOverflow(by: Int64(1) << doublings)
            let longest = overflow ? capMs : min(capMs, grown)
            wait = draw(longest / 2 + 1...longest)
        }
        if let retryAfterMs { wait = max(wait, min(retryAfterMs, longestRetryAfterMs)) }
        return wait <= schedule.intervalMs ? schedule.nextDue(after: now) : schedule.nextDue(after: now + wait - 1)
    }
}

/// HTTP Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in milliseconds from `nowMs`.
public enum RetryAfter {
    public static func milliseconds(_ value: String, nowMs: Int64) -> Int64? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int64(text), seconds >= 0, seconds < 1 << 40 { return seconds * 1_000 }
        guard let date = httpDate(text) else { return nil }
        return max(0, date - nowMs)
    }

    /// IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT": the form servers send.
    static func httpDate(_ s: String) -> Int64? {
        let parts = s.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[5] == "GMT", let day = Int64(parts[1]),
            let month = months.firstIndex(of: String(parts[2])),
            let year = Int64(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int64($0) }
        guard clock.count == 3, clock[0] < 24, clock[1] < 60, clock[2] < 61, day >= 1, day <= 31,
            (1970...9999).contains(year)
        else { return nil }
        let days = CivilDate.toDays(year, Int64(month + 1), day)
        return (days * 86_400 + clock[0] * 3_600 + clock[1] * 60 + clock[2]) * 1_000
    }
}
