/// Enphase IQ Gateway (Envoy):
/// - `enphase-production`: `GET /api/v1/production`, `wattHoursLifetime`, Wh; no time in the
///   answer (the poll's arrival).
/// - `enphase-production-json`: `GET /production.json` (EnphaseProductionDecoder), the
///   `production[]` element of `type` "eim" and `measurementType` "production" (the metering CT),
///   else the "inverters" element: `whLifetime`, Wh, at `readingTime` (epoch seconds). Key:
///   `enphase.source` ("eim" or "inverters") pins the element.
/// - `enphase-total-consumption` / `enphase-net-consumption`: the same answer's `consumption[]`
///   element of that `measurementType`.
public struct EnphaseProfile: GatewayProfile, Equatable {
    public enum Endpoint: String, CaseIterable, Sendable {
        case production = "enphase-production"
        case productionJSON = "enphase-production-json"
        case totalConsumption = "enphase-total-consumption"
        case netConsumption = "enphase-net-consumption"
    }

    public static let formats = Endpoint.allCases.map(\.rawValue)
    public static let configKeys = [GatewayConfigKey("enphase", formats: [Endpoint.productionJSON.rawValue])]
    /// The elements of production.json that `enphase.source` may pin.
    public static let sources = ["eim", "inverters"]

    public var endpoint: Endpoint
    public var source: String?

    public init(_ endpoint: Endpoint, source: String? = nil) {
        self.endpoint = endpoint
        self.source = source
    }

    public static func read(format: String, _ r: inout TableReader, _ context: GatewayReadContext) -> Self {
        var p = Self(Endpoint(rawValue: format) ?? .productionJSON, source: (context.inherited as? Self)?.source)
        guard p.endpoint == .productionJSON, let t = r.table("enphase") else { return p }
        var o = TableReader(t, path: r.keyPath("enphase"))
        if let source = o.string("source") {
            p.source = source
            if !sources.contains(source) {
                o.problem(
                    "source",
                    "\"\(source)\" is not an element of production.json (\(sources.joined(separator: ", ")))")
            }
        }
        r.problems += o.finish()
        return p
    }

    public var format: String { endpoint.rawValue }
    public var kind: Config.MeterKind? { .cumulative }
    public var carriesTime: Bool { endpoint != .production }

    public func decode(_ body: [UInt8], meterID: String) -> Result<DecodedPayload, JSONMeterDecoder.Failure> {
        let consumption: String?
        switch endpoint {
        case .production:
            return GatewayDecoding.mapped(
                body, Config.JSONMapping(value: "wattHoursLifetime", unit: "Wh"), meterID: meterID)
        case .productionJSON: consumption = nil
        case .totalConsumption: consumption = "total-consumption"
        case .netConsumption: consumption = "net-consumption"
        }
        return GatewayDecoding.one(
            EnphaseProductionDecoder.decode(body, consumption: consumption, source: source, meterID: meterID))
    }
}
