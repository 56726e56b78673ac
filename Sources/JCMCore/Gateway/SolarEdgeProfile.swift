import Foundation

/// SolarEdge monitoring API (SolarEdgeDecoder). Its times are site local without an offset: the
/// meter's `timezone` says which.
/// - `solaredge-overview`: `GET /site/{id}/overview`, `overview.lifeTimeData.energy`, Wh, at
///   `overview.lastUpdateTime`.
/// - `solaredge-energy` (history): `GET /site/{id}/energy`, `energy.values[] {date, value}` in
///   `energy.unit`, one reading per `energy.timeUnit`; a null value is no data (night, the
///   future) and is skipped. `{start}` / `{end}`: the site's local date (startDate/endDate).
/// - `solaredge-energy-details` (history): `GET /site/{id}/energyDetails`, the
///   `energyDetails.meters[]` element of the `solaredge.meter` type (Production, Consumption,
///   SelfConsumption, FeedIn, Purchased), its `values[]`.
/// - `solaredge-meters` (history): `GET /site/{id}/meters`, the `meterEnergyDetails.meters[]`
///   element of the `solaredge.meter` type (and `solaredge.serial`), its lifetime counter `values[]`.
/// The last two: `{start}` / `{end}` as `2026-11-26%2011:00:00`, site local time
/// (startTime/endTime). A request covers at most a month (28 days) of quarter hours and hours.
public struct SolarEdgeProfile: GatewayProfile, Equatable {
    public enum Endpoint: String, CaseIterable, Sendable {
        case overview = "solaredge-overview"
        case energy = "solaredge-energy"
        case energyDetails = "solaredge-energy-details"
        case meters = "solaredge-meters"
    }

    public static let formats = Endpoint.allCases.map(\.rawValue)
    public static let historyFormats = [Endpoint.energy, .energyDetails, .meters].map(\.rawValue)
    public static let configKeys = [
        GatewayConfigKey("solaredge", formats: [Endpoint.energyDetails.rawValue, Endpoint.meters.rawValue])
    ]
    /// SolarEdge's meter types, as its API spells them.
    public static let meterTypes = ["Production", "Consumption", "SelfConsumption", "FeedIn", "Purchased"]

    public var endpoint: Endpoint
    public var meterType: String?
    public var serial: String?

    public init(_ endpoint: Endpoint, meterType: String? = nil, serial: String? = nil) {
        self.endpoint = endpoint
        self.meterType = meterType
        self.serial = serial
    }

    public static func read(format: String, _ r: inout TableReader, _ context: GatewayReadContext) -> Self {
        let base = context.inherited as? Self
        var p = Self(Endpoint(rawValue: format) ?? .energy, meterType: base?.meterType, serial: base?.serial)
        guard p.endpoint == .energyDetails || p.endpoint == .meters else { return p }
        if let t = r.table("solaredge") {
            var o = TableReader(t, path: r.keyPath("solaredge"))
            if let type = o.string("meter") {
                if let known = meterTypes.first(where: { $0.lowercased() == type.lowercased() }) {
                    p.meterType = known
                } else {
                    p.meterType = type  // refused here, not again as missing
                    o.problem(
                        "meter",
                        "\"\(type)\" is not a SolarEdge meter type (\(meterTypes.joined(separator: ", ")))")
                }
            }
            if let serial = o.string("serial") { p.serial = serial }
            r.problems += o.finish()
        }
        if p.meterType == nil {
            r.problem("format", "\(format) needs solaredge.meter (\(meterTypes.joined(separator: ", ")))")
        }
        return p
    }

    public var format: String { endpoint.rawValue }
    public var needsTimeZone: Bool { true }
    public var kind: Config.MeterKind? {
        endpoint == .overview || endpoint == .meters ? .cumulative : .interval
    }

    public func decode(_ body: [UInt8], meterID: String) -> Result<DecodedPayload, JSONMeterDecoder.Failure> {
        let meters: Bool?
        switch endpoint {
        case .overview: return GatewayDecoding.one(SolarEdgeDecoder.overview(body, meterID: meterID))
        case .energy: meters = nil
        case .energyDetails: meters = false
        case .meters: meters = true
        }
        return SolarEdgeDecoder.series(body, meters: meters, meterType: meterType, serial: serial, meterID: meterID)
    }

    public var maxSpanMilliseconds: Int64 { isHistory ? 28 * 86_400_000 : 86_400_000 }

    public func historyTime(_ seconds: Int64, zone: TimeZone?, isEnd: Bool) -> String {
        let local = GatewayDecoding.localTime(seconds, zone: zone)
        if endpoint == .energy { return String(local.prefix(10)) }
        return local.replacingOccurrences(of: "T", with: "%20")
    }
}
