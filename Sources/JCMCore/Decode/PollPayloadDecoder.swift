/// What one response holds: its readings, in time order, and the elements that could not be
/// read. A multi-reading response keeps its good elements when some are bad: each bad one is
/// its own rejection. A response that is not what its format expects at all (an HTML page, a
/// truncated document, a missing top-level field, nothing but an empty array) is a failure.
public struct DecodedPayload: Sendable, Equatable {
    public var readings: [RawReading] = []
    /// Elements refused before validation, with the element as their raw text.
    public var rejected: [Rejection] = []
    /// Elements the vendor marks as no data (SolarEdge's and emoncms's nulls): neither a
    /// reading nor a rejection.
    public var skipped = 0
    /// How long the period each reading stands for lasts, when the response says (SolarEdge's
    /// `timeUnit`; the longest month or year for those). A period not yet over holds a partial
    /// total that a later request reports larger: the writer leaves it for that request, since
    /// the first value stored for a (meter, ts) would refuse the final one as a conflict.
    public var periodMicroseconds: Int64?

    public init(readings: [RawReading] = [], rejected: [Rejection] = [], skipped: Int = 0) {
        self.readings = readings
        self.rejected = rejected
        self.skipped = skipped
    }
}

/// Turns a polled meter's response into readings by its `format` (PayloadFormat): the writer
/// handles one shape whatever the gateway.
public enum PollPayloadDecoder {
    public typealias Failure = JSONMeterDecoder.Failure

    /// `contentType` is the response's: a Prometheus meter's is read as OpenMetrics when it says so.
    public static func decode(_ body: [UInt8], poll: Config.Poll, meterID: String, contentType: String? = nil)
        -> Result<DecodedPayload, Failure>
    {
        poll.payload.decode(body, meterID: meterID, contentType: contentType)
    }

    /// Also what a backfill's history response is read with.
    public static func decode(_ body: [UInt8], profile: any GatewayProfile, meterID: String) -> Result<
        DecodedPayload, Failure
    > {
        profile.decode(body, meterID: meterID)
    }
}
