/// Built-in profiles of the gateways projects run: where each vendor's documented response keeps
/// its energy counter, in which unit, and its time. docs/formats.md shows a sample of each and
/// the source it follows.
public enum PayloadProfile: String, CaseIterable, Sendable {
    /// Shelly EM / 3EM, Gen1 `GET /status`: `emeters[channel].total`, Wh, at `unixtime` once the
    /// device has synced its clock (0 until then: the poll's arrival). ShellyGen1Decoder.
    case shellyGen1 = "shelly-gen1"
    /// Shelly Gen1 plugs and relays with metering (Plug S, 1PM, 2.5) `GET /status`:
    /// `meters[channel].total`, watt-minutes, at `unixtime` likewise.
    case shellyGen1Meter = "shelly-gen1-meter"
    /// Shelly Gen2+ `GET /rpc/Switch.GetStatus?id=N`: `aenergy.total`, Wh.
    case shellyGen2Switch = "shelly-gen2-switch"
    /// Shelly Pro 3EM / 3EM Gen3 `GET /rpc/EMData.GetStatus?id=0`: `total_act`, Wh (all phases).
    case shellyGen2EMData = "shelly-gen2-emdata"
    /// Shelly Pro EM / EM Gen3 `GET /rpc/EM1Data.GetStatus?id=N`: `total_act_energy`, Wh.
    case shellyGen2EM1Data = "shelly-gen2-em1data"
    /// Shelly Pro 3EM / 3EM Gen3 `GET /rpc/EM.GetStatus?id=0`: `total_act_power`, W, the active
    /// power of all phases now. The component holds no energy (EMData does): an instantaneous meter.
    case shellyGen2EM = "shelly-gen2-em"
    /// Tasmota `GET /cm?cmnd=Status%208`: `StatusSNS.ENERGY.Total`, kWh, at `StatusSNS.Time`: the
    /// device's local time, without an offset unless SetOption52 is on (declare the meter's
    /// `timezone`). Multi-channel devices report arrays: `channel` picks one.
    case tasmota
    /// Fronius Solar API v1 `GetMeterRealtimeData.cgi?Scope=Device&DeviceId=0`:
    /// `Body.Data.EnergyReal_WAC_Sum_Consumed`, Wh, at `Head.Timestamp` (RFC 3339).
    case froniusMeterConsumed = "fronius-meter-consumed"
    /// The same response's `Body.Data.EnergyReal_WAC_Sum_Produced`.
    case froniusMeterProduced = "fronius-meter-produced"
    /// Fronius Solar API v1 `GetInverterRealtimeData.cgi?Scope=Device&DeviceId=1&DataCollection=CumulationInverterData`:
    /// `Body.Data.TOTAL_ENERGY.Value` in `Body.Data.TOTAL_ENERGY.Unit`, at `Head.Timestamp`.
    case froniusInverter = "fronius-inverter"
    /// Enphase IQ Gateway `GET /api/v1/production`: `wattHoursLifetime`, Wh; no time in the response.
    case enphaseProduction = "enphase-production"
    /// emoncms `GET /feed/timevalue.json?id=N`: `value` at `time` (epoch seconds), in the feed's
    /// unit (the meter's `unit`, or declare it with the meter's own).
    case emoncms
    /// emoncms `GET /feed/list.json`: the feed `emoncms.feed` of the list, its `value` at its
    /// `time`. EmoncmsFeedListDecoder.
    case emoncmsFeedList = "emoncms-feed-list"
    /// OpenEMS Edge REST-Api `GET /rest/channel/<component>/<channel>`: `value` in `unit`
    /// ("Wh_Σ" is Wh), at arrival. OpenEMSDecoder.
    case openEMSChannel = "openems-channel"

    /// Fronius's meter profiles take a channel for `Scope=System`: the meter's index in `Body.Data`.
    public var hasChannels: Bool {
        [.shellyGen1, .shellyGen1Meter, .tasmota, .froniusMeterConsumed, .froniusMeterProduced].contains(self)
    }

    /// Whether the response carries the reading's time. Shelly Gen1's `unixtime` is 0 until the
    /// device has synced; it counts as carrying it (the profile reads the device's clock).
    public var carriesTime: Bool {
        self == .shellyGen1 || self == .shellyGen1Meter || mapping(channel: nil).timestamp != nil
    }

    /// What the value is: a lifetime counter but for EM.GetStatus's power; nil for emoncms, whose
    /// feed may hold either.
    public var kind: Config.MeterKind? {
        switch self {
        case .shellyGen2EM: .instantaneous
        case .emoncms, .openEMSChannel, .emoncmsFeedList: nil
        default: .cumulative
        }
    }

    public func mapping(channel: Int?) -> Config.JSONMapping {
        switch self {
        case .shellyGen1: Config.JSONMapping(value: "emeters.\(channel ?? 0).total", unit: "Wh")
        case .shellyGen1Meter: Config.JSONMapping(value: "meters.\(channel ?? 0).total", unit: "Wmin")
        case .shellyGen2Switch: Config.JSONMapping(value: "aenergy.total", unit: "Wh")
        case .shellyGen2EMData: Config.JSONMapping(value: "total_act", unit: "Wh")
        case .shellyGen2EM1Data: Config.JSONMapping(value: "total_act_energy", unit: "Wh")
        case .shellyGen2EM: Config.JSONMapping(value: "total_act_power", unit: "W")
        case .tasmota:
            Config.JSONMapping(
                value: "StatusSNS.ENERGY.Total" + (channel.map { ".\($0)" } ?? ""), unit: "kWh",
                timestamp: "StatusSNS.Time")
        // Scope=System keys Body.Data by each meter's index: `channel` names it.
        case .froniusMeterConsumed:
            Config.JSONMapping(
                value: "Body.Data." + (channel.map { "\($0)." } ?? "") + "EnergyReal_WAC_Sum_Consumed", unit: "Wh",
                timestamp: "Head.Timestamp")
        case .froniusMeterProduced:
            Config.JSONMapping(
                value: "Body.Data." + (channel.map { "\($0)." } ?? "") + "EnergyReal_WAC_Sum_Produced", unit: "Wh",
                timestamp: "Head.Timestamp")
        case .froniusInverter:
            Config.JSONMapping(
                value: "Body.Data.TOTAL_ENERGY.Value", unitPath: "Body.Data.TOTAL_ENERGY.Unit",
                timestamp: "Head.Timestamp")
        case .enphaseProduction: Config.JSONMapping(value: "wattHoursLifetime", unit: "Wh")
        case .emoncms: Config.JSONMapping(value: "value", timestamp: "time")
        case .openEMSChannel: Config.JSONMapping(value: "value", unitPath: "unit")
        case .emoncmsFeedList: Config.JSONMapping(value: "value", timestamp: "time")
        }
    }
}
