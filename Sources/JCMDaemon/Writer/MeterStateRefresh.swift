import JCMCore
import JCMPostgres

/// Which meters' rows of jcm.meter_state a group of polls must move. A change (a failure, a
/// recovery, another status or validator) is written with its group; a meter that only polled
/// fine again is written at most every `refreshSeconds`: at 10,000 meters a second, rewriting
/// every row with every group cost the server as much as storing the readings.
struct MeterStateRefresh {
    static let refreshSeconds: Int64 = 30

    private struct Written: Equatable {
        var status: Int?
        var error: String?
        var failures: Int
        var etag: String?
        var lastModified: String?
    }
    private var written: [String: (at: Timestamp, what: Written)] = [:]

    func due(_ s: MeterPollState) -> Bool {
        guard s.trailingFailures == 0, let last = written[s.meterID] else { return true }
        return last.what != Self.what(s)
            || s.lastPollAt.microseconds - last.at.microseconds >= Self.refreshSeconds * 1_000_000
    }

    /// After the commit.
    mutating func wrote(_ states: [MeterPollState]) {
        for s in states { written[s.meterID] = (s.lastPollAt, Self.what(s)) }
    }

    private static func what(_ s: MeterPollState) -> Written {
        Written(
            status: s.lastStatus, error: s.trailingFailures > 0 ? s.lastError : nil, failures: s.trailingFailures,
            etag: s.etag, lastModified: s.lastModified)
    }
}
