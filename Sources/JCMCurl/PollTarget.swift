import JCMCore

/// A meter to poll, with its transfer limits.
public struct PollTarget: Sendable {
    public var meterID: String
    public var url: String
    public var schedule: PollSchedule
    public var connectTimeoutMs: Int
    /// For the whole poll from its slot: a wait for a connection and redirects included.
    public var timeoutMs: Int
    public var maxBytes: Int
    /// The longest wait between polls of a failing meter.
    public var backoffCapMs: Int64
    /// Validators of the last response (from jcm.meter_state at start): sent back as
    /// If-None-Match / If-Modified-Since, so an unchanged meter answers 304.
    public var etag: String?
    public var lastModified: String?
    public var security: TransferSecurity
    /// Whether to send the validators back. Only for meters whose response carries the time of
    /// its value: a meter read at the poll's arrival time must answer every poll, or a 304 would
    /// leave an interval with no reading.
    public var conditional: Bool
    public var redirects: RedirectPolicy
    /// Request headers of every poll of this meter, after its credentials (a format's `Accept`).
    public var headers: [String] = []
    /// A POST's body; nil: a GET.
    public var body: String?
    /// Other meters this poll's response is for (a multi-meter source): each gets a copy of
    /// the result under its own id.
    public var alsoFor: [String] = []

    public init(
        meterID: String, url: String, schedule: PollSchedule, connectTimeoutMs: Int, timeoutMs: Int, maxBytes: Int,
        backoffCapMs: Int64 = 300_000, etag: String? = nil, lastModified: String? = nil,
        security: TransferSecurity = .init(),
        conditional: Bool = true, redirects: RedirectPolicy = .sameOrigin
    ) {
        self.meterID = meterID
        self.url = url
        self.schedule = schedule
        self.connectTimeoutMs = connectTimeoutMs
        self.timeoutMs = timeoutMs
        self.maxBytes = maxBytes
        self.backoffCapMs = max(backoffCapMs, schedule.intervalMs)
        self.etag = etag
        self.lastModified = lastModified
        self.security = security
        self.conditional = conditional
        self.redirects = redirects
    }
}

/// What one poll brought back: the raw response (kept as provenance) or why there was none.
public struct PollResult: Sendable {
    public enum Failure: Sendable, Equatable {
        case transport(String)
        case tooLarge(Int)
    }

    public var meterID: String
    public var url: String
    public var receivedAt: Timestamp
    public var status: Int
    public var body: [UInt8]
    public var failure: Failure?
    /// The response's validators, kept in jcm.meter_state for the next start.
    public var etag: String?
    public var lastModified: String?
    /// The response's Content-Type: what a negotiated format (Prometheus text or OpenMetrics)
    /// is read as. Nil when it had none, or the poll failed.
    public var contentType: String?
    /// HTTP 304: the meter has nothing new since the last poll.
    public var notModified: Bool { failure == nil && status == 304 }
    /// Whether the meter answered as a meter should: 200 or 304, and nothing cut off. Another
    /// 2xx (a 204) carries no reading: the writer rejects it, and the meter backs off.
    public var succeeded: Bool { failure == nil && (status == 200 || status == 304) }

    public init(meterID: String, url: String, receivedAt: Timestamp, status: Int, body: [UInt8], failure: Failure?) {
        self.meterID = meterID
        self.url = url
        self.receivedAt = receivedAt
        self.status = status
        self.body = body
        self.failure = failure
    }
}

extension PollResult {
    /// The same response, for another meter that reads it (a multi-meter source).
    func `for`(meter id: String) -> PollResult {
        var copy = self
        copy.meterID = id
        return copy
    }
}
