import Foundation

/// A vendor's gateway or service, as a polled meter or a backfill reads it: one type per vendor
/// profile, in its own file (this folder), holding its `format` names, its configuration keys,
/// its decoding and its history request. `GatewayProfiles.all` registers it; docs/formats.md
/// shows a sample of each and the source it follows.
public protocol GatewayProfile: Sendable {
    /// The `format` names it reads (one per endpoint or variant of the vendor's API).
    static var formats: [String] { get }
    /// The meter's keys it reads besides `format` (tables such as `solaredge`, or `channel`).
    static var configKeys: [GatewayConfigKey] { get }
    /// Those of `formats` whose responses hold many readings: what `backfill.format` may name.
    static var historyFormats: [String] { get }
    /// The profile named `format`, with its keys read from the meter's table (or its
    /// `backfill` table): problems go to `r`, a missing choice as a problem of `format`.
    static func read(format: String, _ r: inout TableReader, _ context: GatewayReadContext) -> Self

    /// Its `format` name.
    var format: String { get }
    /// How messages name it ("fronius-archive (EnergyReal_WAC_Sum_Produced)").
    var displayName: String { get }
    /// What its values are: nil when any meter kind may read them (a feed, a file, a channel).
    var kind: Config.MeterKind? { get }
    /// Whether the response carries the readings' time (else: the poll's arrival).
    var carriesTime: Bool { get }
    /// One response, many readings: what a history request (`backfill`) can be read with.
    var isHistory: Bool { get }
    /// The vendor writes local times without an offset: the meter's `timezone` says which.
    var needsTimeZone: Bool { get }

    func decode(_ body: [UInt8], meterID: String) -> Result<DecodedPayload, JSONMeterDecoder.Failure>

    /// The longest range one history request may cover, and the least time between two.
    var maxSpanMilliseconds: Int64 { get }
    var pauseMilliseconds: Int64 { get }
    /// `{start}` / `{end}` of a history request, in the vendor's convention: `seconds` since
    /// 1970, already rounded (down for the start, up for the end).
    func historyTime(_ seconds: Int64, zone: TimeZone?, isEnd: Bool) -> String
    /// The history request when the meter names none (`backfill.url`), from its own url.
    func defaultHistoryURL(meterURL: String) -> String?

    /// For a response that holds the values of several meters: what identifies the request
    /// whatever element a meter reads (meters with the same one share one poll); nil: not shared.
    var sharedRequest: String? { get }

    func isEqual(to other: any GatewayProfile) -> Bool
}

extension GatewayProfile {
    public static var historyFormats: [String] { [] }
    public var isHistory: Bool { Self.historyFormats.contains(format) }
    public var displayName: String { format }
    public var carriesTime: Bool { true }
    public var needsTimeZone: Bool { false }
    public var maxSpanMilliseconds: Int64 { 86_400_000 }
    public var pauseMilliseconds: Int64 { 1_000 }
    /// RFC 3339 in UTC.
    public func historyTime(_ seconds: Int64, zone: TimeZone?, isEnd: Bool) -> String {
        Timestamp(microseconds: seconds * 1_000_000).formatted(fractionDigits: 0)
    }
    public func defaultHistoryURL(meterURL: String) -> String? { nil }
    public var sharedRequest: String? { nil }
}

extension GatewayProfile where Self: Equatable {
    public func isEqual(to other: any GatewayProfile) -> Bool { (other as? Self) == self }
}

/// A configuration key a profile reads: a table (`solaredge`) or a key (`channel`) of the meter.
public struct GatewayConfigKey: Sendable, Equatable {
    public var name: String
    /// The formats of its profile that read it; nil: all of them.
    public var formats: [String]?
    /// How "only applies to …" names who reads it, when not the list of its formats.
    public var appliesTo: String?

    public init(_ name: String, formats: [String]? = nil, appliesTo: String? = nil) {
        self.name = name
        self.formats = formats
        self.appliesTo = appliesTo
    }

    /// A profile's channel: the element of a response that lists several.
    public static let channel = GatewayConfigKey("channel", appliesTo: "a gateway profile with channels")
}

/// What a profile's reader knows beside its table.
public struct GatewayReadContext: Sendable {
    /// The meter's own profile, when this is its backfill: its choices hold unless the backfill
    /// table gives others.
    public var inherited: (any GatewayProfile)?

    public init(inherited: (any GatewayProfile)? = nil) { self.inherited = inherited }
}

/// Helpers the profiles share.
enum GatewayDecoding {
    /// One reading as a payload.
    static func one(_ r: Result<RawReading, JSONMeterDecoder.Failure>) -> Result<
        DecodedPayload, JSONMeterDecoder.Failure
    > {
        r.map { DecodedPayload(readings: [$0]) }
    }

    /// A value read at a path, in a unit, at an optional time: the JSON mapping alone.
    static func mapped(_ body: [UInt8], _ mapping: Config.JSONMapping, meterID: String) -> Result<
        DecodedPayload, JSONMeterDecoder.Failure
    > {
        one(JSONMeterDecoder.decode(body, mapping: mapping, meterID: meterID))
    }

    /// Local time in `zone` (UTC without one), "2026-11-26T11:00:00", no offset.
    static func localTime(_ seconds: Int64, zone: TimeZone?) -> String {
        let z = zone ?? TimeZone(identifier: "UTC")!
        let local = seconds + Int64(z.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds))))
        return String(Timestamp(microseconds: local * 1_000_000).formatted(fractionDigits: 0).dropLast())
    }
}
