/// Built-in profiles of the gateways projects run: where each vendor's documented response keeps
/// its energy counter, in which unit, and its time. docs/formats.md shows a sample of each.
public enum PayloadProfile: String, CaseIterable, Sendable {
    /// Shelly EM / 3EM, Gen1 `GET /status`: `emeters[channel].total` in Wh; `unixtime` epoch seconds.
    case shellyGen1 = "shelly-gen1"
    /// Shelly Gen2+ `GET /rpc/Switch.GetStatus?id=N`: `aenergy.total` in Wh; no sample time
    /// (the time of arrival).
    case shellyGen2Switch = "shelly-gen2-switch"
    /// Tasmota `GET /cm?cmnd=Status%208`: `StatusSNS.ENERGY.Total` in kWh at `StatusSNS.Time`, the
    /// device's local time without an offset (declare the meter's `timezone`).
    case tasmota
    /// Fronius Solar API v1 `GetMeterRealtimeData.cgi?Scope=Device&DeviceId=0`: the meter's
    /// consumed-energy register `Body.Data.EnergyReal_WAC_Sum_Consumed` in Wh at `Head.Timestamp`.
    case froniusMeter = "fronius-meter"
    /// Fronius Solar API v1 `GetInverterRealtimeData.cgi?Scope=Device&DeviceId=1&DataCollection=CumulationInverterData`:
    /// `Body.Data.TOTAL_ENERGY.Value` in the unit at `Body.Data.TOTAL_ENERGY.Unit` (Wh) at `Head.Timestamp`.
    case froniusInverter = "fronius-inverter"

    public var hasChannels: Bool { self == .shellyGen1 }

    public func mapping(channel: Int) -> Config.JSONMapping {
        switch self {
        case .shellyGen1: Config.JSONMapping(value: "emeters.\(channel).total", unit: "Wh", timestamp: "unixtime")
        case .shellyGen2Switch: Config.JSONMapping(value: "aenergy.total", unit: "Wh")
        case .tasmota: Config.JSONMapping(value: "StatusSNS.ENERGY.Total", unit: "kWh", timestamp: "StatusSNS.Time")
        case .froniusMeter: Config.JSONMapping(value: "Body.Data.EnergyReal_WAC_Sum_Consumed", unit: "Wh", timestamp: "Head.Timestamp")
        case .froniusInverter: Config.JSONMapping(value: "Body.Data.TOTAL_ENERGY.Value", unitPath: "Body.Data.TOTAL_ENERGY.Unit", timestamp: "Head.Timestamp")
        }
    }
}
