extension Config.Poll {
    /// A url with `{start}` and `{end}`: each poll asks a history format for the last few
    /// intervals (the Backfiller makes these requests, not the MeterPoller).
    public var isWindowed: Bool { requestTemplate.contains("{start}") && requestTemplate.contains("{end}") }

    /// Its `format` name.
    public var format: String { payload.name }

    /// Request headers every poll sends, after the credentials: a Prometheus meter asks for
    /// OpenMetrics first, as Prometheus does, and its response's Content-Type says which it got.
    public var requestHeaders: [String] {
        // A POST says what its body is; "Expect:" keeps libcurl from waiting for a 100 Continue
        // that an embedded gateway may never send.
        return (payload.prometheus != nil ? [OpenMetricsDecoder.acceptHeader] : [])
            + (body != nil ? ["Content-Type: \(contentType ?? "application/json")", "Expect:"] : [])
    }

    /// Whether the response's readings carry their own time: only then are validators sent
    /// back, a 304 being nothing new. A reading stamped with its poll's arrival is new at every
    /// poll, and skipping it would leave the interval empty.
    public var readingsCarryTheirTime: Bool { payload.carriesTime }
}

/// Reading how a polled meter's response is decoded: `format` and the keys it needs (the
/// generic formats here, a gateway profile's in its own file), and where its missed readings
/// are fetched from (`backfill`).
extension Config {
    /// The formats `format` accepts: the generic ones, then the gateway profiles.
    public static var payloadFormats: [String] { PayloadFormat.names }

    /// Which columns of a CSV response (by header name) are a reading.
    public struct CSVColumns: Sendable, Equatable {
        public var value: String
        /// nil: the response's time of arrival (then only one data row makes sense).
        public var timestamp: String?
        /// A fixed unit for every row; nil = `unitColumn`, else the meter's own.
        public var unit: String?
        public var unitColumn: String?

        public init(value: String, timestamp: String? = nil, unit: String? = nil, unitColumn: String? = nil) {
            self.value = value
            self.timestamp = timestamp
            self.unit = unit
            self.unitColumn = unitColumn
        }
    }

    /// Where a meter's history is fetched from after a gap, and how far back.
    public struct Backfill: Sendable, Equatable {
        /// The request, with `{start}` and `{end}` in the history profile's convention
        /// (HistoryRequest.url).
        public var url: String
        /// Always a gateway profile's (`profile`): what the answers are read with.
        public private(set) var format: PayloadFormat
        /// No reading older than this (before now) is asked for.
        public var horizonMilliseconds: Int64 = 7 * 86_400_000
        /// The longest range one request covers; longer gaps are split.
        public var maxSpanMilliseconds: Int64
        /// The least time between two history requests to the same host.
        public var pauseMilliseconds: Int64
        public var timeoutMilliseconds: Int64 = 30_000
        public var maxResponseBytes = 16 << 20
        /// The meter's own POST body (a windowed POST meter), with `{start}` and `{end}`.
        public var body: String?
        public var contentType: String?

        /// The history profile its answers are read with.
        public var profile: any GatewayProfile {
            get { format.gateway! }  // set only from a profile
            set { format = .gateway(newValue) }
        }

        /// What a history request sends beside the credentials.
        public var requestHeaders: [String] {
            body != nil ? ["Content-Type: \(contentType ?? "application/json")", "Expect:"] : []
        }

        public init(url: String, profile: any GatewayProfile) {
            self.url = url
            self.format = .gateway(profile)
            self.maxSpanMilliseconds = profile.maxSpanMilliseconds
            self.pauseMilliseconds = profile.pauseMilliseconds
        }
    }

    static func readPayload(
        _ r: inout TableReader, format: String, json: TOMLTable?, kind: MeterKind?, zone: String?, into p: inout Poll
    ) {
        readRequest(&r, into: &p)
        let prometheus = r.table("prometheus")
        switch format {
        case "json":
            guard let json else {
                r.problem("json", "a polled meter needs json.value (the path to its value)")
                return
            }
            var j = TableReader(json, path: r.keyPath("json"))
            let value = j.requiredString("value")
            let mapping = JSONMapping(
                value: value ?? "", unit: j.string("unit"), unitPath: j.string("unit_path"),
                timestamp: j.string("timestamp"))
            if let u = mapping.unit, MeasurementUnit.named(u) == nil { j.problem("unit", "unknown unit \"\(u)\"") }
            p.payload = .json(mapping)
            r.problems += j.finish()
        case "prometheus":
            guard let prometheus else {
                r.problem("prometheus", "format \"prometheus\" needs prometheus.metric (the metric name)")
                return
            }
            var t = TableReader(prometheus, path: r.keyPath("prometheus"))
            if let selector = readPrometheus(&t) { p.payload = .prometheus(selector) }
            r.problems += t.finish()
        default:
            guard let type = GatewayProfiles.type(of: format) else {
                r.problem("format", "\"\(format)\" is not a known format (\(payloadFormats.joined(separator: ", ")))")
                return
            }
            let profile = type.read(format: format, &r, GatewayReadContext())
            p.payload = .gateway(profile)
            checkKeysUnused(&r, format: format)
            checkProfile(&r, profile, kind: kind, zone: zone)
        }
        if format != "json", json != nil { r.problem("json", "only applies to format \"json\"") }
        if format != "prometheus", prometheus != nil {
            r.problem("prometheus", "only applies to format \"prometheus\"")
        }
        if p.payload.gateway == nil { checkKeysUnused(&r, format: format) }
        readBackfill(&r, kind: kind, zone: zone, into: &p)
        if p.isWindowed {
            if let profile = p.payload.gateway, profile.isHistory {
                // The poll's own request reads history too: gaps are filled the same way.
                if p.backfill == nil {
                    p.backfill = Backfill(url: p.url, profile: profile)
                    p.backfill?.body = p.body
                    p.backfill?.contentType = p.contentType
                }
            } else {
                r.problem(
                    "url",
                    "{start} and {end} only apply to a history format (\(GatewayProfiles.historyFormats.joined(separator: ", ")))"
                )
            }
        } else if p.requestTemplate.contains("{start}") || p.requestTemplate.contains("{end}") {
            r.problem("url", "needs both {start} and {end}, or neither")
        }
    }

    /// `prometheus.*`: a selector, or a metric and its labels.
    private static func readPrometheus(_ t: inout TableReader) -> PrometheusSelector? {
        let unit = t.string("unit")
        if let unit, MeasurementUnit.named(unit) == nil { t.problem("unit", "unknown unit \"\(unit)\"") }
        if let text = t.string("selector") {
            if t.node("metric") != nil || t.node("labels") != nil {
                t.problem("selector", "give prometheus.selector, or prometheus.metric and prometheus.labels, not both")
            }
            switch PrometheusSelector.parse(text) {
            case .success(let s): return PrometheusSelector(metric: s.metric, matchers: s.matchers, unit: unit)
            case .failure(let p):
                t.problem("selector", "\(text): \(p.why)")
                return nil
            }
        }
        let metric = t.requiredString("metric")
        var labels: [String: String] = [:]
        if let l = t.table("labels") {
            for key in l.keys {
                if case .string(let v)? = l[key]?.value {
                    labels[key] = v
                } else {
                    t.problem("labels", "label \(key) must be a string")
                }
            }
        }
        return PrometheusSelector(metric: metric ?? "", labels: labels, unit: unit)
    }

    /// A gateway profile's keys given to a format that does not read them.
    private static func checkKeysUnused(_ r: inout TableReader, format: String) {
        for (key, formats) in GatewayProfiles.keys where !formats.contains(format) && r.node(key.name) != nil {
            r.problem(key.name, "only applies to " + (key.appliesTo ?? GatewayProfiles.list(formats)))
        }
    }

    /// A profile's values fit for the meter's kind and time zone.
    private static func checkProfile(
        _ r: inout TableReader, _ profile: any GatewayProfile, kind: MeterKind?, zone: String?
    ) {
        if profile.needsTimeZone, zone == nil {
            r.problem(
                "format",
                "\(profile.format) gives site local times without an offset: declare the meter's timezone (the site's IANA zone)"
            )
        }
        if let problem = kindMismatch(profile.displayName, yields: profile.kind, kind: kind) {
            r.problem("format", problem)
        }
    }

    /// A format whose values are of one kind, on a meter of another.
    private static func kindMismatch(_ name: String, yields: MeterKind?, kind: MeterKind?) -> String? {
        guard let kind, let yields, kind != yields else { return nil }
        let what =
            switch yields {
            case .cumulative: "a lifetime counter"
            case .interval: "energy per interval"
            case .instantaneous: "an instantaneous value"
            }
        return "\(name) gives \(what): it needs a meter of kind \"\(yields.rawValue)\", not \"\(kind.rawValue)\""
    }

    /// `backfill.*`: the history request of a meter whose gateway remembers. A history profile's
    /// keys go under `backfill` too, and default to the meter's own for the same profile.
    private static func readBackfill(_ r: inout TableReader, kind: MeterKind?, zone: String?, into p: inout Poll) {
        guard let table = r.table("backfill") else { return }
        var b = TableReader(table, path: r.keyPath("backfill"))
        let own = p.payload.gateway
        var format = b.string("format")
        if let f = format {
            if !GatewayProfiles.historyFormats.contains(f) {
                b.problem(
                    "format",
                    "\"\(f)\" is not a history format (\(GatewayProfiles.historyFormats.joined(separator: ", ")))")
                format = nil
            }
        } else if let own, own.isHistory {
            format = own.format
        } else {
            b.problem("format", "is required: the meter's format \"\(p.format)\" reads no history")
        }
        var profile: (any GatewayProfile)?
        if let format, let type = GatewayProfiles.type(of: format) {
            // The meter's own choices hold for a history of the same profile (energyDetails' meter type).
            let inherited = own?.format == format ? own : nil
            profile = type.read(format: format, &b, GatewayReadContext(inherited: inherited))
            checkKeysUnused(&b, format: format)
        } else {
            for key in GatewayProfiles.keyNames { _ = b.node(key) }
        }
        var url = b.string("url")
        var body: String?
        if url == nil, p.isWindowed, let profile, profile.format == own?.format {
            url = p.url
            body = p.body  // the meter's own request, POST and all
        }
        if url == nil { url = profile?.defaultHistoryURL(meterURL: p.url) }
        if url == nil, let profile {
            b.problem("url", "is required for \(profile.format): the history request with {start} and {end}")
        }
        if let url {
            if !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                b.problem("url", "must start with http:// or https://")
            }
            let template = url + (body ?? "")
            if !template.contains("{start}") || !template.contains("{end}") {
                b.problem("url", "needs {start} and {end}, where the range of each request goes")
            }
        }
        let horizon = b.duration("horizon", range: 60_000...(366 * 86_400_000))
        let span = b.duration("max_span", range: 60_000...(366 * 86_400_000))
        let pause = b.duration("pause", range: 0...3_600_000)
        let timeout = b.duration("timeout", range: 1_000...600_000)
        let maxBytes = b.integer("max_response_bytes", range: 1_024...(1 << 30))
        if let profile, let url {
            var backfill = Backfill(url: url, profile: profile)
            backfill.body = body
            backfill.contentType = body == nil ? nil : p.contentType
            if let horizon { backfill.horizonMilliseconds = horizon }
            if let span { backfill.maxSpanMilliseconds = span }
            if let pause { backfill.pauseMilliseconds = pause }
            if let timeout { backfill.timeoutMilliseconds = timeout }
            if let maxBytes { backfill.maxResponseBytes = Int(maxBytes) }
            checkProfile(&b, profile, kind: kind, zone: zone)
            p.backfill = backfill
        }
        r.problems += b.finish()
    }
}
