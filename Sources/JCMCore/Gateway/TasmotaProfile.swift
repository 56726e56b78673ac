/// Tasmota `GET /cm?cmnd=Status%208`: `StatusSNS.ENERGY.Total`, kWh, at `StatusSNS.Time`: the
/// device's local time, without an offset unless SetOption52 is on (declare the meter's
/// `timezone`). Multi-channel devices report arrays: `channel` picks one.
public struct TasmotaProfile: GatewayProfile, Equatable {
    public static let formats = ["tasmota"]
    public static let configKeys = [GatewayConfigKey.channel]

    public var channel: Int?

    public init(channel: Int? = nil) { self.channel = channel }

    public static func read(format: String, _ r: inout TableReader, _ context: GatewayReadContext) -> Self {
        Self(channel: r.integer("channel", range: 0...255).map { Int($0) } ?? (context.inherited as? Self)?.channel)
    }

    public var format: String { "tasmota" }
    public var kind: Config.MeterKind? { .cumulative }

    public var mapping: Config.JSONMapping {
        Config.JSONMapping(
            value: "StatusSNS.ENERGY.Total" + (channel.map { ".\($0)" } ?? ""), unit: "kWh", timestamp: "StatusSNS.Time"
        )
    }

    public func decode(_ body: [UInt8], meterID: String) -> Result<DecodedPayload, JSONMeterDecoder.Failure> {
        GatewayDecoding.mapped(body, mapping, meterID: meterID)
    }
}
