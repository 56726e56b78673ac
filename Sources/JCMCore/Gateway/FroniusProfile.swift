/// Fronius Solar API v1 (FroniusDecoder). Every answer carries `Head.Status.Code`: not 0, the
/// Datamanager refused the request (a device not available, a wrong DeviceId), whatever
/// `Body.Data` still holds.
/// - `fronius-meter-consumed` / `fronius-meter-produced`: `GetMeterRealtimeData.cgi?Scope=Device&DeviceId=0`,
///   `Body.Data.EnergyReal_WAC_Sum_Consumed` / `_Produced`, Wh, at `Head.Timestamp` (RFC 3339).
///   With `Scope=System`, `channel` is the meter's index in `Body.Data`, and meters that read
///   one answer share its poll.
/// - `fronius-inverter`: `GetInverterRealtimeData.cgi?Scope=Device&DeviceId=1&DataCollection=CumulationInverterData`,
///   `Body.Data.TOTAL_ENERGY.Value` in `Body.Data.TOTAL_ENERGY.Unit`, at `Head.Timestamp`.
/// - `fronius-powerflow`: `GetPowerFlowRealtimeData.fcgi`, `Body.Data.Site.E_Total`, Wh, at
///   `Head.Timestamp`. GEN24, Tauro and Verto firmware before 1.14 report it as null (the Solar
///   API manual); it is updated every 5 minutes.
/// - `fronius-archive` (history): `GetArchiveData.cgi`, `Body.Data[device].Data[channel].Values`,
///   an object of seconds after the device's `Start` → value, in `.Unit`. Keys: `fronius.channel`
///   (required), `fronius.device` ("inverter/1", "meter:16220111") when several devices hold it.
///   `{start}` / `{end}`: ISO 8601 in UTC, which StartDate/EndDate accept; at most 16 days per
///   request, as its clients use (the manual names none), 120 s apart (the manual asks for it,
///   and none in parallel).
public struct FroniusProfile: GatewayProfile, Equatable {
    public enum Endpoint: String, CaseIterable, Sendable {
        case meterConsumed = "fronius-meter-consumed"
        case meterProduced = "fronius-meter-produced"
        case inverter = "fronius-inverter"
        case powerFlow = "fronius-powerflow"
        case archive = "fronius-archive"
    }

    public static let formats = Endpoint.allCases.map(\.rawValue)
    public static let historyFormats = [Endpoint.archive.rawValue]
    public static let configKeys = [
        GatewayConfigKey(
            "channel", formats: [Endpoint.meterConsumed.rawValue, Endpoint.meterProduced.rawValue],
            appliesTo: GatewayConfigKey.channel.appliesTo),
        GatewayConfigKey("fronius", formats: [Endpoint.archive.rawValue]),
    ]

    public var endpoint: Endpoint
    /// The meters': the index in `Body.Data` (Scope=System). The archive's: the channel read.
    public var meterIndex: Int?
    public var channel: String?
    public var device: String?

    public init(_ endpoint: Endpoint, meterIndex: Int? = nil, channel: String? = nil, device: String? = nil) {
        self.endpoint = endpoint
        self.meterIndex = meterIndex
        self.channel = channel
        self.device = device
    }

    public static func read(format: String, _ r: inout TableReader, _ context: GatewayReadContext) -> Self {
        let endpoint = Endpoint(rawValue: format) ?? .archive
        let base = context.inherited as? Self
        var p = Self(endpoint)
        switch endpoint {
        case .meterConsumed, .meterProduced:
            p.meterIndex = r.integer("channel", range: 0...255).map { Int($0) } ?? base?.meterIndex
        case .archive:
            p.channel = base?.channel
            p.device = base?.device
            if let t = r.table("fronius") {
                var o = TableReader(t, path: r.keyPath("fronius"))
                if let channel = o.string("channel") { p.channel = channel }
                if let device = o.string("device") { p.device = device }
                r.problems += o.finish()
            }
            if p.channel == nil {
                r.problem(
                    "format",
                    "fronius-archive needs fronius.channel (e.g. EnergyReal_WAC_Sum_Produced, EnergyReal_WAC_Plus_Absolute)"
                )
            }
        case .inverter, .powerFlow: break
        }
        return p
    }

    public var format: String { endpoint.rawValue }
    public var displayName: String { format + (channel.map { " (\($0))" } ?? "") }

    public var kind: Config.MeterKind? {
        endpoint == .archive ? channel.flatMap(Self.channelKind) : .cumulative
    }

    /// Archive channels and what their values are. `EnergyReal_WAC_Sum_Produced` is the
    /// inverter's energy per logging interval (5 minutes by default), not its counter; the smart
    /// meter's `*_Absolute` channels are its counters.
    public static func channelKind(_ channel: String) -> Config.MeterKind? {
        switch channel {
        case "EnergyReal_WAC_Sum_Produced": .interval
        case "EnergyReal_WAC_Plus_Absolute", "EnergyReal_WAC_Minus_Absolute": .cumulative
        case "PowerReal_PAC_Sum": .instantaneous
        default: nil
        }
    }

    public var mapping: Config.JSONMapping? {
        let index = meterIndex.map { "\($0)." } ?? ""
        return switch endpoint {
        case .meterConsumed:
            Config.JSONMapping(
                value: "Body.Data." + index + "EnergyReal_WAC_Sum_Consumed", unit: "Wh", timestamp: "Head.Timestamp")
        case .meterProduced:
            Config.JSONMapping(
                value: "Body.Data." + index + "EnergyReal_WAC_Sum_Produced", unit: "Wh", timestamp: "Head.Timestamp")
        case .inverter:
            Config.JSONMapping(
                value: "Body.Data.TOTAL_ENERGY.Value", unitPath: "Body.Data.TOTAL_ENERGY.Unit",
                timestamp: "Head.Timestamp")
        case .powerFlow, .archive: nil
        }
    }

    public func decode(_ body: [UInt8], meterID: String) -> Result<DecodedPayload, JSONMeterDecoder.Failure> {
        switch endpoint {
        case .powerFlow: return GatewayDecoding.one(FroniusDecoder.powerFlow(body, meterID: meterID))
        case .archive: return FroniusDecoder.archive(body, channel: channel ?? "", device: device, meterID: meterID)
        case .meterConsumed, .meterProduced, .inverter:
            let mapping = self.mapping!
            return GatewayDecoding.one(
                PayloadJSON.parse(body).flatMap(FroniusDecoder.checkStatus).flatMap {
                    JSONMeterDecoder.decode(document: $0, body: body, mapping: mapping, meterID: meterID)
                })
        }
    }

    public var maxSpanMilliseconds: Int64 { endpoint == .archive ? 16 * 86_400_000 : 86_400_000 }
    public var pauseMilliseconds: Int64 { endpoint == .archive ? 120_000 : 1_000 }

    /// The Datamanager's archive is on the same host as its realtime data.
    public func defaultHistoryURL(meterURL: String) -> String? {
        guard endpoint == .archive, let scheme = meterURL.range(of: "://") else { return nil }
        let rest = meterURL[scheme.upperBound...]
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        return String(meterURL[..<end])
            + "/solar_api/v1/GetArchiveData.cgi?Scope=System&StartDate={start}&EndDate={end}&Channel=" + (channel ?? "")
    }

    /// Consumed and produced of one Scope=System answer.
    public var sharedRequest: String? {
        (endpoint == .meterConsumed || endpoint == .meterProduced) && meterIndex != nil ? "fronius-meter" : nil
    }
}
