/// How a polled meter's response is read: `format` and what it needs, one case per legal shape.
public enum PayloadFormat: Sendable, Equatable, CustomStringConvertible {
    /// `format = "json"`: the value (and unit, time) at `json.*` paths.
    case json(Config.JSONMapping)
    /// `format = "prometheus"`: one sample of a Prometheus text or OpenMetrics exposition.
    case prometheus(Config.PrometheusSelector)
    /// A vendor's gateway profile (GatewayProfiles.all).
    case gateway(any GatewayProfile)

    /// The `format` names: the generic ones, then the gateway profiles'.
    public static var names: [String] { ["json", "prometheus"] + GatewayProfiles.formats }

    /// Its `format` name.
    public var name: String {
        switch self {
        case .json: "json"
        case .prometheus: "prometheus"
        case .gateway(let g): g.format
        }
    }

    public var description: String { name }

    public var gateway: (any GatewayProfile)? {
        if case .gateway(let g) = self { return g }
        return nil
    }

    public var prometheus: Config.PrometheusSelector? {
        if case .prometheus(let s) = self { return s }
        return nil
    }

    /// What its values are; nil when any meter kind may read them.
    public var kind: Config.MeterKind? { gateway?.kind }

    /// Whether the readings carry their own time (a Prometheus sample's timestamp is optional).
    public var carriesTime: Bool {
        switch self {
        case .json(let m): m.timestamp != nil
        case .prometheus: false
        case .gateway(let g): g.carriesTime
        }
    }

    /// One response, many readings.
    public var isHistory: Bool { gateway?.isHistory ?? false }

    /// `contentType` is the response's: a Prometheus meter's is read as OpenMetrics when it says so.
    public func decode(_ body: [UInt8], meterID: String, contentType: String? = nil) -> Result<
        DecodedPayload, JSONMeterDecoder.Failure
    > {
        switch self {
        case .json(let mapping): GatewayDecoding.mapped(body, mapping, meterID: meterID)
        case .prometheus(let selector):
            GatewayDecoding.one(
                OpenMetricsDecoder.isOpenMetrics(contentType)
                    ? OpenMetricsDecoder.decode(body, selector: selector, meterID: meterID)
                    : PrometheusTextDecoder.decode(body, selector: selector, meterID: meterID))
        case .gateway(let g): g.decode(body, meterID: meterID)
        }
    }

    public static func == (a: PayloadFormat, b: PayloadFormat) -> Bool {
        switch (a, b) {
        case (.json(let x), .json(let y)): x == y
        case (.prometheus(let x), .prometheus(let y)): x == y
        case (.gateway(let x), .gateway(let y)): x.isEqual(to: y)
        default: false
        }
    }
}
