import JCMCore
import JCMPostgres

/// What the writer knows of each polled meter's row of jcm.meter_state, as committed: the one
/// place the validators (ETag, Last-Modified) live in the daemon. It is seeded from
/// jcm.meter_state at start, moved by every group of polls after commit, and read by the poller
/// of each configuration (IngestWriter.validatorsByMeter); the poller's own copy is only the one
/// it sends next.
///
/// It also says which rows a group must move. A change (a failure, a recovery, another status or
/// validator) is written with its group; a meter that only polled fine again is written at most
/// every `refreshSeconds`: at 10,000 meters a second, rewriting every row with every group cost
/// the server as much as storing the readings.
struct MeterStates: Sendable {
    static let refreshSeconds: Int64 = 30

    struct Validators: Sendable, Equatable {
        var etag: String?
        var lastModified: String?
    }

    private struct Written: Equatable {
        var status: Int?
        var error: String?
        var failures: Int
    }
    private var validators: [String: Validators] = [:]
    /// When each meter's row was last written by this writer, and with what.
    private var written: [String: (at: Timestamp, what: Written)] = [:]

    /// The validators stored for `meter` at start; ones this writer has seen since win.
    mutating func seed(meter: String, _ v: Validators) {
        if validators[meter] == nil { validators[meter] = v }
    }

    var byMeter: [String: Validators] { validators }

    func due(_ s: MeterPollState) -> Bool {
        guard s.trailingFailures == 0, let last = written[s.meterID] else { return true }
        return last.what != Self.what(s)
            || validators[s.meterID] != Validators(etag: s.etag, lastModified: s.lastModified)
            || s.lastPollAt.microseconds - last.at.microseconds >= Self.refreshSeconds * 1_000_000
    }

    /// After the commit of a group: `polled` is every meter it polled (its last validators),
    /// `states` the rows it wrote.
    mutating func committed(polled: [MeterPollState], wrote states: [MeterPollState]) {
        for s in polled { validators[s.meterID] = Validators(etag: s.etag, lastModified: s.lastModified) }
        for s in states { written[s.meterID] = (s.lastPollAt, Self.what(s)) }
    }

    private static func what(_ s: MeterPollState) -> Written {
        Written(status: s.lastStatus, error: s.trailingFailures > 0 ? s.lastError : nil, failures: s.trailingFailures)
    }
}
