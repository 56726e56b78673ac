/// CSV over HTTP (CSVPayloadDecoder): every data row is a reading, columns by header name.
/// Keys: `csv.value` (required), `csv.timestamp` (else the answer's arrival: then only one data
/// row makes sense), `csv.unit` (a fixed unit) or `csv.unit_column`, else the meter's unit.
/// A history format: `{start}` / `{end}` as RFC 3339 in UTC.
public struct CSVProfile: GatewayProfile, Equatable {
    public static let formats = ["csv"]
    public static let historyFormats = formats
    public static let configKeys = [GatewayConfigKey("csv", appliesTo: "format \"csv\"")]

    public var columns: Config.CSVColumns?

    public init(columns: Config.CSVColumns?) { self.columns = columns }

    public static func read(format: String, _ r: inout TableReader, _ context: GatewayReadContext) -> Self {
        var p = Self(columns: (context.inherited as? Self)?.columns)
        if let t = r.table("csv") {
            var o = TableReader(t, path: r.keyPath("csv"))
            let value = o.requiredString("value")
            let columns = Config.CSVColumns(
                value: value ?? "", timestamp: o.string("timestamp"), unit: o.string("unit"),
                unitColumn: o.string("unit_column"))
            if let u = columns.unit, MeasurementUnit.named(u) == nil { o.problem("unit", "unknown unit \"\(u)\"") }
            if columns.unit != nil, columns.unitColumn != nil {
                o.problem("unit_column", "give csv.unit (a fixed unit) or csv.unit_column, not both")
            }
            p.columns = columns
            r.problems += o.finish()
        }
        if p.columns == nil { r.problem("format", "format \"csv\" needs csv.value (the column of the value)") }
        return p
    }

    public var format: String { "csv" }
    public var kind: Config.MeterKind? { nil }
    public var carriesTime: Bool { columns?.timestamp != nil }

    public func decode(_ body: [UInt8], meterID: String) -> Result<DecodedPayload, JSONMeterDecoder.Failure> {
        CSVPayloadDecoder.decode(body, columns: columns ?? Config.CSVColumns(value: ""), meterID: meterID)
    }
}
