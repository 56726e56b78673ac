/// Shelly Gen1 `GET /status` (ShellyGen1Decoder):
/// - `shelly-gen1`: EM / 3EM, `emeters[channel].total`, Wh;
/// - `shelly-gen1-meter`: plugs and relays with metering (Plug S, 1PM, 2.5), `meters[channel].total`,
///   watt-minutes;
/// at `unixtime` once the device has synced its clock (0 until then: the poll's arrival).
/// Keys: `channel` (default 0).
public struct ShellyGen1Profile: GatewayProfile, Equatable {
    public static let formats = ["shelly-gen1", "shelly-gen1-meter"]
    public static let configKeys = [GatewayConfigKey.channel]

    /// `meters[]` (shelly-gen1-meter), not `emeters[]`.
    public var plug: Bool
    public var channel: Int?

    public init(plug: Bool = false, channel: Int? = nil) {
        self.plug = plug
        self.channel = channel
    }

    public static func read(format: String, _ r: inout TableReader, _ context: GatewayReadContext) -> Self {
        let channel = r.integer("channel", range: 0...255).map { Int($0) }
        return Self(plug: format == formats[1], channel: channel ?? (context.inherited as? Self)?.channel)
    }

    public var format: String { Self.formats[plug ? 1 : 0] }
    public var kind: Config.MeterKind? { .cumulative }

    public func decode(_ body: [UInt8], meterID: String) -> Result<DecodedPayload, JSONMeterDecoder.Failure> {
        GatewayDecoding.one(ShellyGen1Decoder.decode(body, plug: plug, channel: channel ?? 0, meterID: meterID))
    }
}
