/// Reads one sample out of an OpenMetrics 1.0 exposition (`application/openmetrics-text`), the
/// format Prometheus asks for first and reads by the response's Content-Type. It differs from
/// the text format where a reading could go wrong:
/// - it must end with `# EOF`: without it the body was cut off, and nothing of it is read;
/// - timestamps are seconds, with a fraction (`1520879607.789`), not milliseconds;
/// - a counter family `foo` has its samples named `foo_total` (and `foo_created`, its start);
/// - `# UNIT foo_joules joules` names a family's unit;
/// - a sample may end with an exemplar (` # {trace_id="a"} 1`), which is not the value.
/// The same selector as for the text format picks the sample: its metric is the sample's name
/// (`foo_total`), or a counter family's (`foo`, read as `foo_total`).
public enum OpenMetricsDecoder {
    public typealias Failure = JSONMeterDecoder.Failure

    /// What Prometheus sends: OpenMetrics preferred, the text format accepted.
    public static let acceptHeader =
        "Accept: application/openmetrics-text;version=1.0.0,"
        + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

    /// Whether a response's Content-Type says OpenMetrics (any version, any parameters).
    public static func isOpenMetrics(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let media = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return media.filter { $0 != " " && $0 != "\t" }.lowercased() == "application/openmetrics-text"
    }

    /// OpenMetrics units (base units, spelled out, as the specification recommends) and the
    /// symbols of the ones a meter may speak; a symbol (`Wh`, `kWh`) is taken as written.
    static let units: [String: String] = [
        "joules": "J", "kilojoules": "kJ", "megajoules": "MJ", "gigajoules": "GJ",
        "watt_hours": "Wh", "kilowatt_hours": "kWh", "megawatt_hours": "MWh",
        "watts": "W", "kilowatts": "kW", "megawatts": "MW",
        "liters": "L", "litres": "L", "cubic_meters": "m3", "cubic_metres": "m3", "kilograms": "kg", "tonnes": "t",
    ]

    public static func decode(_ body: [UInt8], selector: Config.PrometheusSelector, meterID: String)
        -> Result<RawReading, Failure>
    {
        func fail(_ reason: ReasonCode, _ detail: String) -> Result<RawReading, Failure> {
            .failure(Failure(reason: reason, detail: detail))
        }
        guard let text = String(validating: body, as: UTF8.self) else {
            return fail(.payloadInvalid, "response is not UTF-8 text")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }  // the line feed after # EOF is optional
        guard lines.last == "# EOF" else {
            let last = lines.last?.suffix(80) ?? ""
            return fail(
                .payloadInvalid,
                "the OpenMetrics exposition does not end with \"# EOF\": it is cut off (last line: \(last))")
        }
        lines.removeLast()
        var types: [String: String] = [:]
        var units: [String: String] = [:]
        var matches: [(sample: PrometheusTextDecoder.Sample, family: String, micros: Int64?)] = []
        for (n, line) in lines.enumerated() {
            func invalid(_ what: String) -> Result<RawReading, Failure> {
                fail(.payloadInvalid, "line \(n + 1) is not \(what): \(line.prefix(80))")
            }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count >= 3, parts[0] == "#", ["TYPE", "HELP", "UNIT"].contains(parts[1]),
                    !parts[2].isEmpty
                else {
                    return invalid("an OpenMetrics descriptor (# TYPE, # HELP, # UNIT; # EOF only at the end)")
                }
                let value = parts.count > 3 ? String(parts[3]) : ""
                if parts[1] == "TYPE" { types[String(parts[2])] = value }
                if parts[1] == "UNIT" { units[String(parts[2])] = value }
                continue
            }
            guard let (sample, timestamp) = parse(line) else { return invalid("an OpenMetrics sample") }
            let counterTotal = types[selector.metric] == "counter" && sample.name == selector.metric + "_total"
            guard sample.name == selector.metric || counterTotal,
                selector.matchers.allSatisfy({ $0.holds(for: sample.labels) })
            else { continue }
            var micros: Int64?
            if let timestamp {
                guard let seconds = ExactDecimal(parsing: String(timestamp)), let shifted = seconds.shifted(by: 6),
                    let whole = Int64(exactly: shifted.significand / ExactDecimal.pow10(shifted.scale))
                else {
                    return fail(.timestampInvalid, "sample timestamp \(timestamp) s is out of range")
                }
                micros = whole
            }
            matches.append((sample, family(of: sample.name, types: types, units: units), micros))
        }
        let labels = selector.matchers.map(\.description).joined(separator: ",")
        let wanted = selector.metric + (selector.matchers.isEmpty ? "" : "{" + labels + "}")
        guard let (sample, family, micros) = matches.first else {
            return fail(.missingField, "no sample of \(wanted) in the response")
        }
        guard matches.count == 1 else {
            return fail(.payloadInvalid, "\(matches.count) samples match \(wanted); add labels to choose one")
        }
        var unit = selector.unit
        if let declared = units[family], !declared.isEmpty {
            let symbol = Self.units[declared] ?? declared
            if let configured = selector.unit {
                if let a = MeasurementUnit.named(configured), let b = MeasurementUnit.named(symbol), a != b {
                    let why = "# UNIT of \(family) is \(declared) (\(symbol)), but prometheus.unit says \(configured)"
                    return fail(.payloadInvalid, why)
                }
            } else {
                unit = symbol
            }
        }
        let timestamp = micros.map { Timestamp(microseconds: $0).description }
        return .success(
            RawReading(
                meterID: meterID, timestamp: timestamp, value: sample.value, unit: unit,
                location: meterID, raw: String(decoding: body.prefix(2_000), as: UTF8.self)))
    }

    /// `name{label="value",...} value [timestamp_s] [# exemplar]`: the sample and its timestamp's text.
    static func parse(_ line: Substring) -> (PrometheusTextDecoder.Sample, Substring?)? {
        var rest = line
        let name = PrometheusTextDecoder.name(&rest)
        guard !name.isEmpty else { return nil }
        var labels: [String: String] = [:]
        if rest.first == "{" {
            guard let pairs = PrometheusTextDecoder.labels(&rest, operators: false) else { return nil }
            for (key, _, value) in pairs { labels[key] = value }
        }
        // After the labels (whose values may hold " # "): an exemplar is not the sample's.
        if let exemplar = rest.range(of: " # ") { rest = rest[..<exemplar.lowerBound] }
        // One space between the fields, as the specification writes them.
        guard rest.first == " " else { return nil }
        let fields = rest.dropFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 1 || fields.count == 2, fields.allSatisfy({ !$0.isEmpty }) else { return nil }
        let sample = PrometheusTextDecoder.Sample(
            name: name, labels: labels, value: String(fields[0]),
            timestampMs: nil)
        return (sample, fields.count == 2 ? fields[1] : nil)
    }

    /// The family a sample belongs to: its name, or its name without the suffix its type adds.
    static func family(of name: String, types: [String: String], units: [String: String]) -> String {
        if types[name] != nil || units[name] != nil { return name }
        let suffixes = ["_total", "_created", "_count", "_sum", "_bucket", "_gcount", "_gsum", "_info"]
        for suffix in suffixes where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] != nil || units[base] != nil { return base }
        }
        return name
    }
}
