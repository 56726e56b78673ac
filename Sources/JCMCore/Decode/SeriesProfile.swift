/// The gateway responses that no single path reads: those whose element is chosen by its type
/// or serial, and those that carry many readings (a day of quarter hours, an archive). Each has
/// its own decoder; PollPayloadDecoder dispatches on the profile. docs/formats.md shows a sample
/// of each and the source it follows.
public enum SeriesProfile: String, CaseIterable, Sendable {
    /// Enphase IQ Gateway `GET /production.json`: the `production[]` element of `type` "eim" and
    /// `measurementType` "production" (the metering CT), else the "inverters" element:
    /// `whLifetime`, Wh, at `readingTime` (epoch seconds).
    case enphaseProductionJSON = "enphase-production-json"
    /// The same response's `consumption[]` element of `measurementType` "total-consumption".
    case enphaseTotalConsumption = "enphase-total-consumption"
    /// The same response's `consumption[]` element of `measurementType` "net-consumption".
    case enphaseNetConsumption = "enphase-net-consumption"
    /// SolarEdge monitoring API `GET /site/{id}/overview`: `overview.lifeTimeData.energy`, Wh, at
    /// `overview.lastUpdateTime` (site local time, no offset).
    case solarEdgeOverview = "solaredge-overview"
    /// `GET /site/{id}/energy`: `energy.values[] {date, value}` in `energy.unit`, one reading per
    /// `energy.timeUnit`; a null value is no data (night, the future) and is skipped.
    case solarEdgeEnergy = "solaredge-energy"
    /// `GET /site/{id}/energyDetails`: the `energyDetails.meters[]` element of the configured
    /// `type` (Production, Consumption, SelfConsumption, FeedIn, Purchased), its `values[]`.
    case solarEdgeEnergyDetails = "solaredge-energy-details"
    /// `GET /site/{id}/meters`: the `meterEnergyDetails.meters[]` element of the configured
    /// `meterType` (and `meterSerialNumber`), its lifetime counter `values[]`.
    case solarEdgeMeters = "solaredge-meters"
    /// Fronius Solar API v1 `GetPowerFlowRealtimeData.fcgi`: `Body.Data.Site.E_Total`, Wh, at
    /// `Head.Timestamp`. GEN24, Tauro and Verto firmware before 1.14 report it as null (the Solar API
    /// manual); it is updated every 5 minutes.
    case froniusPowerFlow = "fronius-powerflow"
    /// Fronius Solar API v1 `GetArchiveData.cgi`: `Body.Data[device].Data[channel].Values`, an
    /// object of seconds after the device's `Start` → value, in `.Unit`.
    case froniusArchive = "fronius-archive"
    /// emoncms `GET /feed/data.json?id=N&start=ms&end=ms&interval=s`: `[[ms, value], ...]`,
    /// null values skipped, in the feed's unit (the meter's).
    case emoncmsFeedData = "emoncms-feed-data"
    /// CSV over HTTP: every data row is a reading, columns by header name.
    case csv
    /// OpenEMS Edge JSON-RPC `queryHistoricTimeseriesEnergyPerPeriod` (`POST /jsonrpc` of its
    /// REST-Api): the energy of each period, Wh, at the period's start. OpenEMSDecoder.
    case openEMSEnergyPerPeriod = "openems-energy-per-period"

    /// SolarEdge's meter types, as its API spells them.
    public static let solarEdgeMeterTypes = ["Production", "Consumption", "SelfConsumption", "FeedIn", "Purchased"]

    /// What the profile's values are: a lifetime counter, energy per interval; nil when it
    /// depends on the feed or the file (emoncms, csv) or on the channel (Fronius archive).
    public var kind: Config.MeterKind? {
        switch self {
        case .enphaseProductionJSON, .enphaseTotalConsumption, .enphaseNetConsumption, .solarEdgeOverview,
            .solarEdgeMeters, .froniusPowerFlow:
            .cumulative
        case .solarEdgeEnergy, .solarEdgeEnergyDetails, .openEMSEnergyPerPeriod: .interval
        case .froniusArchive, .emoncmsFeedData, .csv: nil
        }
    }

    /// SolarEdge writes site local times without an offset: the meter's `timezone` says which.
    public var needsTimeZone: Bool {
        switch self {
        case .solarEdgeOverview, .solarEdgeEnergy, .solarEdgeEnergyDetails, .solarEdgeMeters: true
        default: false
        }
    }

    /// One response, many readings: what a history request can be read with.
    public var isHistory: Bool {
        switch self {
        case .solarEdgeEnergy, .solarEdgeEnergyDetails, .solarEdgeMeters, .froniusArchive, .emoncmsFeedData, .csv,
            .openEMSEnergyPerPeriod:
            true
        default: false
        }
    }

    /// The longest range one history request may cover, in milliseconds: the vendor's limit
    /// (SolarEdge: a month for quarter hours and hours; Fronius: 16 days, as its clients use; the
    /// manual names none) or, for emoncms, a day, which keeps a 10 s feed under its 8,928 points
    /// per request.
    public var defaultMaxSpanMilliseconds: Int64 {
        switch self {
        case .froniusArchive: 16 * 86_400_000
        case .solarEdgeEnergy, .solarEdgeEnergyDetails, .solarEdgeMeters: 28 * 86_400_000
        default: 86_400_000
        }
    }

    /// The elements of Enphase's production.json that `enphase.source` may pin.
    public static let enphaseSources = ["eim", "inverters"]

    /// The least time between two history requests to one host. The Fronius Solar API manual
    /// asks for 120 s between two archive requests (and none in parallel).
    public var defaultPauseMilliseconds: Int64 {
        self == .froniusArchive ? 120_000 : 1_000
    }

    /// Fronius archive channels and what their values are. `EnergyReal_WAC_Sum_Produced` is the
    /// inverter's energy per logging interval (5 minutes by default), not its counter; the
    /// smart meter's `*_Absolute` channels are its counters.
    public static func froniusChannelKind(_ channel: String) -> Config.MeterKind? {
        switch channel {
        case "EnergyReal_WAC_Sum_Produced": .interval
        case "EnergyReal_WAC_Plus_Absolute", "EnergyReal_WAC_Minus_Absolute": .cumulative
        case "PowerReal_PAC_Sum": .instantaneous
        default: nil
        }
    }
}
