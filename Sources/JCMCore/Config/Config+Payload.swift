/// Reading how a polled meter's response is decoded: `format` and the table it needs.
extension Config {
    /// The formats `format` accepts: the generic ones, then the gateway profiles.
    public static var payloadFormats: [String] { ["json", "prometheus"] + PayloadProfile.allCases.map(\.rawValue) }

    static func readPayload(_ r: inout TableReader, format: String, json: TOMLTable?, into p: inout Poll) {
        p.format = format
        let prometheus = r.table("prometheus")
        let channel = r.integer("channel", range: 0...255)
        switch format {
        case "json":
            guard let json else {
                r.problem("json", "a polled meter needs json.value (the path to its value)")
                return
            }
            var j = TableReader(json, path: r.keyPath("json"))
            let value = j.requiredString("value")
            p.json = JSONMapping(value: value ?? "", unit: j.string("unit"), unitPath: j.string("unit_path"), timestamp: j.string("timestamp"))
            if let u = p.json.unit, MeasurementUnit.named(u) == nil { j.problem("unit", "unknown unit \"\(u)\"") }
            r.problems += j.finish()
        case "prometheus":
            guard let prometheus else {
                r.problem("prometheus", "format \"prometheus\" needs prometheus.metric (the metric name)")
                return
            }
            var t = TableReader(prometheus, path: r.keyPath("prometheus"))
            let metric = t.requiredString("metric")
            var labels: [String: String] = [:]
            if let l = t.table("labels") {
                for key in l.keys {
                    if case .string(let v)? = l[key]?.value { labels[key] = v } else { t.problem("labels", "label \(key) must be a string") }
                }
            }
            let unit = t.string("unit")
            if let unit, MeasurementUnit.named(unit) == nil { t.problem("unit", "unknown unit \"\(unit)\"") }
            p.prometheus = PrometheusSelector(metric: metric ?? "", labels: labels, unit: unit)
            r.problems += t.finish()
        default:
            guard let profile = PayloadProfile(rawValue: format) else {
                r.problem("format", "\"\(format)\" is not a known format (\(payloadFormats.joined(separator: ", ")))")
                return
            }
            p.json = profile.mapping(channel: channel.map { Int($0) })
        }
        if format != "json", json != nil { r.problem("json", "only applies to format \"json\"") }
        if format != "prometheus", prometheus != nil { r.problem("prometheus", "only applies to format \"prometheus\"") }
        if channel != nil, !(PayloadProfile(rawValue: format)?.hasChannels ?? false) { r.problem("channel", "only applies to a gateway profile with channels") }
    }
}
