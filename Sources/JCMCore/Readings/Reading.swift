/// A reading as it arrived, every field still text: what is kept verbatim when it is refused.
public struct RawReading: Sendable, Equatable {
    public var meterID: String?
    public var timestamp: String?
    public var value: String?
    public var unit: String?
    /// Other columns or fields of the record, as a JSON object text; nil when there are none.
    public var extra: String?
    /// Where it came from: "file.csv:12" or a meter id.
    public var location: String
    /// The record exactly as read (CSV line, JSON element, response body excerpt).
    public var raw: String

    public init(
        meterID: String?, timestamp: String?, value: String?, unit: String?, extra: String? = nil, location: String,
        raw: String
    ) {
        self.meterID = meterID
        self.timestamp = timestamp
        self.value = value
        self.unit = unit
        self.extra = extra
        self.location = location
        self.raw = raw
    }
}

/// A reading that passed validation: what goes into jcm.readings.
public struct Reading: Sendable, Equatable {
    public var meterKey: Int32
    public var timestamp: Timestamp
    /// In the meter's unit.
    public var value: ExactDecimal
    public var rawValue: String
    public var rawUnit: String
    /// Empty when accepted; flags (never rejections) when flagged.
    public var flags: [ReasonCode]
    public var extra: String?

    public var status: String { flags.isEmpty ? "accepted" : "flagged" }

    public init(
        meterKey: Int32, timestamp: Timestamp, value: ExactDecimal, rawValue: String, rawUnit: String,
        flags: [ReasonCode] = [], extra: String? = nil
    ) {
        self.meterKey = meterKey
        self.timestamp = timestamp
        self.value = value
        self.rawValue = rawValue
        self.rawUnit = rawUnit
        self.flags = flags
        self.extra = extra
    }
}

/// A reading refused, with why: what goes into jcm.rejections.
public struct Rejection: Sendable, Equatable {
    public var raw: RawReading
    public var reason: ReasonCode
    public var detail: String
    /// When the reading was taken, if its timestamp could be read (jcm.rejections.ts).
    public var timestamp: Timestamp?

    public init(raw: RawReading, reason: ReasonCode, detail: String, timestamp: Timestamp? = nil) {
        self.raw = raw
        self.reason = reason
        self.detail = detail
        self.timestamp = timestamp
    }
}

public enum Verdict: Sendable, Equatable {
    case accepted(Reading)
    case rejected(Rejection)
}
