import Foundation

/// OpenEMS Edge (OpenEMSDecoder):
/// - `openems-channel`: REST-Api `GET /rest/channel/<component>/<channel>`, `value` in `unit`
///   ("Wh_Σ" is Wh), at arrival; any meter kind, as the channel holds.
/// - `openems-energy-per-period` (history): JSON-RPC `queryHistoricTimeseriesEnergyPerPeriod`
///   (`POST /jsonrpc` of its REST-Api), the energy of each period, Wh, at the period's start.
///   Key: `openems.channel`, the channel address read ("_sum/ProductionActiveEnergy") when the
///   answer has several. `{start}` / `{end}`: the local date (fromDate/toDate) in the meter's
///   timezone (UTC without one), which the body's `timezone` must name.
public struct OpenEMSProfile: GatewayProfile, Equatable {
    public enum Endpoint: String, CaseIterable, Sendable {
        case channel = "openems-channel"
        case energyPerPeriod = "openems-energy-per-period"
    }

    public static let formats = Endpoint.allCases.map(\.rawValue)
    public static let historyFormats = [Endpoint.energyPerPeriod.rawValue]
    public static let configKeys = [GatewayConfigKey("openems", formats: [Endpoint.energyPerPeriod.rawValue])]

    public var endpoint: Endpoint
    /// The channel address read.
    public var address: String?

    public init(_ endpoint: Endpoint, address: String? = nil) {
        self.endpoint = endpoint
        self.address = address
    }

    public static func read(format: String, _ r: inout TableReader, _ context: GatewayReadContext) -> Self {
        var p = Self(Endpoint(rawValue: format) ?? .channel, address: (context.inherited as? Self)?.address)
        guard p.endpoint == .energyPerPeriod, let t = r.table("openems") else { return p }
        var o = TableReader(t, path: r.keyPath("openems"))
        if let channel = o.string("channel") { p.address = channel }
        r.problems += o.finish()
        return p
    }

    public var format: String { endpoint.rawValue }
    public var kind: Config.MeterKind? { endpoint == .energyPerPeriod ? .interval : nil }
    public var carriesTime: Bool { endpoint == .energyPerPeriod }

    public func decode(_ body: [UInt8], meterID: String) -> Result<DecodedPayload, JSONMeterDecoder.Failure> {
        switch endpoint {
        case .channel: GatewayDecoding.one(OpenEMSDecoder.channel(body, meterID: meterID))
        case .energyPerPeriod: OpenEMSDecoder.energyPerPeriod(body, channel: address, meterID: meterID)
        }
    }

    public func historyTime(_ seconds: Int64, zone: TimeZone?, isEnd: Bool) -> String {
        String(GatewayDecoding.localTime(seconds, zone: zone).prefix(10))
    }
}
