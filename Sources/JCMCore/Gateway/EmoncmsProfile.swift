import Foundation

/// emoncms (its feed controller), in the feed's unit (the meter's `unit`, or declare it with the
/// meter's own); any meter kind, as the feed holds:
/// - `emoncms`: `GET /feed/timevalue.json?id=N`, `value` at `time` (epoch seconds).
/// - `emoncms-feed-list`: `GET /feed/list.json` (EmoncmsFeedListDecoder), the feed
///   `emoncms.feed` (its id, required) of the list, its `value` at its `time`. Meters that read
///   one list share its poll.
/// - `emoncms-feed-data` (history): `GET /feed/data.json?id=N&start=ms&end=ms&interval=s`
///   (EmoncmsFeedDecoder), `[[ms, value], ...]`, null values skipped. `{start}` / `{end}`: epoch
///   milliseconds; a day per request, which keeps a 10 s feed under its 8,928 points.
public struct EmoncmsProfile: GatewayProfile, Equatable {
    public enum Endpoint: String, CaseIterable, Sendable {
        case timeValue = "emoncms"
        case feedList = "emoncms-feed-list"
        case feedData = "emoncms-feed-data"
    }

    public static let formats = Endpoint.allCases.map(\.rawValue)
    public static let historyFormats = [Endpoint.feedData.rawValue]
    public static let configKeys = [GatewayConfigKey("emoncms", formats: [Endpoint.feedList.rawValue])]

    public var endpoint: Endpoint
    /// The feed read from the list (its id).
    public var feed: String?

    public init(_ endpoint: Endpoint, feed: String? = nil) {
        self.endpoint = endpoint
        self.feed = feed
    }

    public static func read(format: String, _ r: inout TableReader, _ context: GatewayReadContext) -> Self {
        var p = Self(Endpoint(rawValue: format) ?? .timeValue, feed: (context.inherited as? Self)?.feed)
        guard p.endpoint == .feedList else { return p }
        if let t = r.table("emoncms") {
            var o = TableReader(t, path: r.keyPath("emoncms"))
            if let feed = o.integer("feed", range: 1...Int64(Int32.max)) { p.feed = String(feed) }
            r.problems += o.finish()
        }
        if p.feed == nil { r.problem("format", "emoncms-feed-list needs emoncms.feed (the id of the feed read)") }
        return p
    }

    public var format: String { endpoint.rawValue }
    public var kind: Config.MeterKind? { nil }

    public func decode(_ body: [UInt8], meterID: String) -> Result<DecodedPayload, JSONMeterDecoder.Failure> {
        switch endpoint {
        case .timeValue:
            GatewayDecoding.mapped(body, Config.JSONMapping(value: "value", timestamp: "time"), meterID: meterID)
        case .feedList: GatewayDecoding.one(EmoncmsFeedListDecoder.decode(body, feed: feed ?? "", meterID: meterID))
        case .feedData: EmoncmsFeedDecoder.decode(body, meterID: meterID)
        }
    }

    public func historyTime(_ seconds: Int64, zone: TimeZone?, isEnd: Bool) -> String { String(seconds * 1_000) }

    public var sharedRequest: String? { endpoint == .feedList ? format : nil }
}
