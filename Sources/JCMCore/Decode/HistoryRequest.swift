import Foundation

/// The requests a backfill makes for a gap: the range cut to the vendor's limit per request,
/// and each piece written into the meter's `backfill.url` in the vendor's own convention.
public enum HistoryRequest {
    public struct Window: Sendable, Equatable {
        /// Exclusive: the reading before the gap is already stored.
        public var after: Timestamp
        public var through: Timestamp
        public init(after: Timestamp, through: Timestamp) {
            self.after = after
            self.through = through
        }
    }

    /// (after, through] cut into pieces no longer than `maxSpanMilliseconds`, oldest first.
    public static func windows(after: Timestamp, through: Timestamp, maxSpanMilliseconds: Int64) -> [Window] {
        guard through > after, maxSpanMilliseconds > 0 else { return [] }
        let span = maxSpanMilliseconds * 1_000
        var out: [Window] = []
        var from = after.microseconds
        while from < through.microseconds {
            let to = min(through.microseconds, from + span)
            out.append(Window(after: Timestamp(microseconds: from), through: Timestamp(microseconds: to)))
            from = to
        }
        return out
    }

    /// `template` with `{start}` and `{end}` replaced, in the profile's convention
    /// (`GatewayProfile.historyTime`: RFC 3339 in UTC unless the vendor wants another). The start
    /// is rounded down and the end up to the second (or day): a request covers at least the
    /// window, and the writer keeps only what falls inside it.
    public static func url(template: String, profile: any GatewayProfile, window: Window, zone: TimeZone?) -> String {
        let start = text(window.after, profile: profile, zone: zone, roundUp: false)
        let end = text(window.through, profile: profile, zone: zone, roundUp: true)
        return template.replacingOccurrences(of: "{start}", with: start).replacingOccurrences(of: "{end}", with: end)
    }

    static func text(_ t: Timestamp, profile: any GatewayProfile, zone: TimeZone?, roundUp: Bool) -> String {
        var seconds = t.microseconds.floorDiv(1_000_000)
        if roundUp, seconds * 1_000_000 < t.microseconds { seconds += 1 }
        return profile.historyTime(seconds, zone: zone, isEnd: roundUp)
    }
}
