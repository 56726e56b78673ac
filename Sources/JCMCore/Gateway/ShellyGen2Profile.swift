/// Shelly Gen2+ RPC, the `result` of a JSON-RPC answer (a `GET /rpc/<method>` or a POST):
/// - `shelly-gen2-switch`: `Switch.GetStatus?id=N`, `aenergy.total`, Wh;
/// - `shelly-gen2-emdata`: Pro 3EM / 3EM Gen3 `EMData.GetStatus?id=0`, `total_act`, Wh (all phases);
/// - `shelly-gen2-em1data`: Pro EM / EM Gen3 `EM1Data.GetStatus?id=N`, `total_act_energy`, Wh;
/// - `shelly-gen2-em`: Pro 3EM / 3EM Gen3 `EM.GetStatus?id=0`, `total_act_power`, W: the active
///   power of all phases now. The component holds no energy (EMData does): an instantaneous meter.
/// No time in the answer: the poll's arrival.
public struct ShellyGen2Profile: GatewayProfile, Equatable {
    public enum Component: String, CaseIterable, Sendable {
        case switchComponent = "shelly-gen2-switch"
        case emData = "shelly-gen2-emdata"
        case em1Data = "shelly-gen2-em1data"
        case em = "shelly-gen2-em"
    }

    public static let formats = Component.allCases.map(\.rawValue)
    public static let configKeys: [GatewayConfigKey] = []

    public var component: Component

    public init(_ component: Component) { self.component = component }

    public static func read(format: String, _ r: inout TableReader, _ context: GatewayReadContext) -> Self {
        Self(Component(rawValue: format) ?? .switchComponent)
    }

    public var format: String { component.rawValue }
    public var kind: Config.MeterKind? { component == .em ? .instantaneous : .cumulative }
    public var carriesTime: Bool { false }

    public var mapping: Config.JSONMapping {
        switch component {
        case .switchComponent: Config.JSONMapping(value: "aenergy.total", unit: "Wh")
        case .emData: Config.JSONMapping(value: "total_act", unit: "Wh")
        case .em1Data: Config.JSONMapping(value: "total_act_energy", unit: "Wh")
        case .em: Config.JSONMapping(value: "total_act_power", unit: "W")
        }
    }

    public func decode(_ body: [UInt8], meterID: String) -> Result<DecodedPayload, JSONMeterDecoder.Failure> {
        GatewayDecoding.one(
            PayloadJSON.parse(body).flatMap(JSONRPC.result).flatMap {
                JSONMeterDecoder.decode(document: $0, body: body, mapping: mapping, meterID: meterID)
            })
    }
}
