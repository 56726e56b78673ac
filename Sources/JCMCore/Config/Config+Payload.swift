extension Config.Poll {
    /// A url with `{start}` and `{end}`: each poll asks a history format for the last few
    /// intervals (the Backfiller makes these requests, not the MeterPoller).
    public var isWindowed: Bool { requestTemplate.contains("{start}") && requestTemplate.contains("{end}") }

    /// Request headers every poll sends, after the credentials: a Prometheus meter asks for
    /// OpenMetrics first, as Prometheus does, and its response's Content-Type says which it got.
    public var requestHeaders: [String] {
        // A POST says what its body is; "Expect:" keeps libcurl from waiting for a 100 Continue
        // that an embedded gateway may never send.
        (prometheus != nil ? [OpenMetricsDecoder.acceptHeader] : [])
            + (body != nil ? ["Content-Type: \(contentType ?? "application/json")", "Expect:"] : [])
    }

    /// Whether the response's readings carry their own time: only then are validators sent
    /// back, a 304 being nothing new. A reading stamped with its poll's arrival is new at every
    /// poll, and skipping it would leave the interval empty.
    public var readingsCarryTheirTime: Bool {
        if prometheus != nil { return false }  // a sample's timestamp is optional
        if let series { return series.profile != .csv || series.csv?.timestamp != nil }
        if let profile = PayloadProfile(rawValue: format) { return profile.carriesTime }
        return json.timestamp != nil
    }
}

/// Reading how a polled meter's response is decoded: `format` and the table it needs, and where
/// its missed readings are fetched from (`backfill`).
extension Config {
    /// The formats `format` accepts: the generic ones, then the gateway profiles.
    public static var payloadFormats: [String] {
        ["json", "prometheus"] + PayloadProfile.allCases.map(\.rawValue) + SeriesProfile.allCases.map(\.rawValue)
    }

    /// A profile read by its own decoder, and the choices its response leaves open.
    public struct SeriesSelector: Sendable, Equatable {
        public var profile: SeriesProfile
        /// SolarEdge energyDetails / meters: the meter type (`SeriesProfile.solarEdgeMeterTypes`).
        public var meterType: String?
        /// SolarEdge meters: the meter's serial number, when several have the type.
        public var serial: String?
        /// Fronius archive: the channel, and the device ("inverter/1", "meter:16220111") when
        /// more than one holds it.
        public var channel: String?
        public var device: String?
        public var csv: CSVColumns?
        /// Enphase production.json: the element read, when pinned (`SeriesProfile.enphaseSources`).
        public var enphaseSource: String?
        /// OpenEMS: the channel address read ("_sum/ProductionActiveEnergy"), when the response has several.
        public var address: String?

        public init(
            profile: SeriesProfile, meterType: String? = nil, serial: String? = nil, channel: String? = nil,
            device: String? = nil, csv: CSVColumns? = nil,
            enphaseSource: String? = nil
        ) {
            self.profile = profile
            self.enphaseSource = enphaseSource
            self.meterType = meterType
            self.serial = serial
            self.channel = channel
            self.device = device
            self.csv = csv
        }

        /// What its values are; nil when any meter kind may read them.
        public var kind: MeterKind? {
            if profile == .froniusArchive { return channel.flatMap(SeriesProfile.froniusChannelKind) }
            return profile.kind
        }
    }

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
        public var series: SeriesSelector
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

        /// What a history request sends beside the credentials.
        public var requestHeaders: [String] {
            body != nil ? ["Content-Type: \(contentType ?? "application/json")", "Expect:"] : []
        }

        public init(url: String, series: SeriesSelector) {
            self.url = url
            self.series = series
            self.maxSpanMilliseconds = series.profile.defaultMaxSpanMilliseconds
            self.pauseMilliseconds = series.profile.defaultPauseMilliseconds
        }
    }

    static func readPayload(
        _ r: inout TableReader, format: String, json: TOMLTable?, kind: MeterKind?, zone: String?, into p: inout Poll
    ) {
        p.format = format
        readRequest(&r, into: &p)
        if let t = r.table("emoncms") {
            var o = TableReader(t, path: r.keyPath("emoncms"))
            if let feed = o.integer("feed", range: 1...Int64(Int32.max)) { p.emoncmsFeed = String(feed) }
            r.problems += o.finish()
            if format != PayloadProfile.emoncmsFeedList.rawValue {
                r.problem("emoncms", "only applies to emoncms-feed-list")
            }
        }
        if format == PayloadProfile.emoncmsFeedList.rawValue, p.emoncmsFeed == nil {
            r.problem("format", "emoncms-feed-list needs emoncms.feed (the id of the feed read)")
        }
        let prometheus = r.table("prometheus")
        let channel = r.integer("channel", range: 0...255)
        let options = readSeriesOptions(&r, inherited: nil)
        switch format {
        case "json":
            guard let json else {
                r.problem("json", "a polled meter needs json.value (the path to its value)")
                return
            }
            var j = TableReader(json, path: r.keyPath("json"))
            let value = j.requiredString("value")
            p.json = JSONMapping(
                value: value ?? "", unit: j.string("unit"), unitPath: j.string("unit_path"),
                timestamp: j.string("timestamp"))
            if let u = p.json.unit, MeasurementUnit.named(u) == nil { j.problem("unit", "unknown unit \"\(u)\"") }
            r.problems += j.finish()
        case "prometheus":
            guard let prometheus else {
                r.problem("prometheus", "format \"prometheus\" needs prometheus.metric (the metric name)")
                return
            }
            var t = TableReader(prometheus, path: r.keyPath("prometheus"))
            let unit = t.string("unit")
            if let unit, MeasurementUnit.named(unit) == nil { t.problem("unit", "unknown unit \"\(unit)\"") }
            if let text = t.string("selector") {
                if t.node("metric") != nil || t.node("labels") != nil {
                    t.problem(
                        "selector", "give prometheus.selector, or prometheus.metric and prometheus.labels, not both")
                }
                switch PrometheusSelector.parse(text) {
                case .success(let s):
                    p.prometheus = PrometheusSelector(metric: s.metric, matchers: s.matchers, unit: unit)
                case .failure(let p): t.problem("selector", "\(text): \(p.why)")
                }
            } else {
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
                p.prometheus = PrometheusSelector(metric: metric ?? "", labels: labels, unit: unit)
            }
            r.problems += t.finish()
        default:
            if let series = SeriesProfile(rawValue: format) {
                var selector = options
                selector.profile = series
                p.series = selector
                checkSeries(&r, selector, key: "format", kind: kind, zone: zone)
            } else if let profile = PayloadProfile(rawValue: format) {
                p.json = profile.mapping(channel: channel.map { Int($0) })
                p.channel = channel.map { Int($0) }
                if let problem = kindMismatch(format, yields: profile.kind, kind: kind) { r.problem("format", problem) }
            } else {
                r.problem("format", "\"\(format)\" is not a known format (\(payloadFormats.joined(separator: ", ")))")
                return
            }
        }
        if format != "json", json != nil { r.problem("json", "only applies to format \"json\"") }
        if format != "prometheus", prometheus != nil {
            r.problem("prometheus", "only applies to format \"prometheus\"")
        }
        if channel != nil, !(PayloadProfile(rawValue: format)?.hasChannels ?? false) {
            r.problem("channel", "only applies to a gateway profile with channels")
        }
        if p.series == nil { checkOptionsUnused(&r, options) }
        readBackfill(&r, kind: kind, zone: zone, into: &p)
        if p.isWindowed {
            if let series = p.series, series.profile.isHistory {
                // The poll's own request reads history too: gaps are filled the same way.
                if p.backfill == nil {
                    p.backfill = Backfill(url: p.url, series: series)
                    p.backfill?.body = p.body
                    p.backfill?.contentType = p.contentType
                }
            } else {
                r.problem(
                    "url",
                    "{start} and {end} only apply to a history format (\(SeriesProfile.allCases.filter(\.isHistory).map(\.rawValue).joined(separator: ", ")))"
                )
            }
        } else if p.requestTemplate.contains("{start}") || p.requestTemplate.contains("{end}") {
            r.problem("url", "needs both {start} and {end}, or neither")
        }
    }

    /// `csv.*`, `solaredge.*` and `fronius.*`: the same keys on the meter and under `backfill`,
    /// where they default to the meter's own.
    private static func readSeriesOptions(_ r: inout TableReader, inherited: SeriesSelector?) -> SeriesSelector {
        var s = SeriesSelector(
            profile: .csv, meterType: inherited?.meterType, serial: inherited?.serial, channel: inherited?.channel,
            device: inherited?.device, csv: inherited?.csv, enphaseSource: inherited?.enphaseSource)
        s.address = inherited?.address
        if let t = r.table("openems") {
            var o = TableReader(t, path: r.keyPath("openems"))
            if let channel = o.string("channel") { s.address = channel }
            r.problems += o.finish()
        }
        if let t = r.table("enphase") {
            var o = TableReader(t, path: r.keyPath("enphase"))
            if let source = o.string("source") {
                s.enphaseSource = source
                if !SeriesProfile.enphaseSources.contains(source) {
                    o.problem(
                        "source",
                        "\"\(source)\" is not an element of production.json (\(SeriesProfile.enphaseSources.joined(separator: ", ")))"
                    )
                }
            }
            r.problems += o.finish()
        }
        if let t = r.table("solaredge") {
            var o = TableReader(t, path: r.keyPath("solaredge"))
            if let type = o.string("meter") {
                if let known = SeriesProfile.solarEdgeMeterTypes.first(where: { $0.lowercased() == type.lowercased() })
                {
                    s.meterType = known
                } else {
                    s.meterType = type  // refused here, not again as missing
                    o.problem(
                        "meter",
                        "\"\(type)\" is not a SolarEdge meter type (\(SeriesProfile.solarEdgeMeterTypes.joined(separator: ", ")))"
                    )
                }
            }
            if let serial = o.string("serial") { s.serial = serial }
            r.problems += o.finish()
        }
        if let t = r.table("fronius") {
            var o = TableReader(t, path: r.keyPath("fronius"))
            if let channel = o.string("channel") { s.channel = channel }
            if let device = o.string("device") { s.device = device }
            r.problems += o.finish()
        }
        if let t = r.table("csv") {
            var o = TableReader(t, path: r.keyPath("csv"))
            let value = o.requiredString("value")
            let columns = CSVColumns(
                value: value ?? "", timestamp: o.string("timestamp"), unit: o.string("unit"),
                unitColumn: o.string("unit_column"))
            if let u = columns.unit, MeasurementUnit.named(u) == nil { o.problem("unit", "unknown unit \"\(u)\"") }
            if columns.unit != nil, columns.unitColumn != nil {
                o.problem("unit_column", "give csv.unit (a fixed unit) or csv.unit_column, not both")
            }
            s.csv = columns
            r.problems += o.finish()
        }
        return s
    }

    /// A profile's choices made, and its values fit for the meter's kind and time zone.
    private static func checkSeries(
        _ r: inout TableReader, _ s: SeriesSelector, key: String, kind: MeterKind?, zone: String?
    ) {
        let name = s.profile.rawValue
        switch s.profile {
        case .solarEdgeEnergyDetails, .solarEdgeMeters:
            if s.meterType == nil {
                r.problem(
                    key, "\(name) needs solaredge.meter (\(SeriesProfile.solarEdgeMeterTypes.joined(separator: ", ")))")
            }
        case .froniusArchive:
            if s.channel == nil {
                r.problem(
                    key,
                    "\(name) needs fronius.channel (e.g. EnergyReal_WAC_Sum_Produced, EnergyReal_WAC_Plus_Absolute)")
            }
        case .csv:
            if s.csv == nil { r.problem(key, "format \"csv\" needs csv.value (the column of the value)") }
        default: break
        }
        if s.profile != .solarEdgeEnergyDetails, s.profile != .solarEdgeMeters, s.meterType != nil || s.serial != nil {
            r.problem("solaredge", "only applies to solaredge-energy-details and solaredge-meters")
        }
        if s.profile != .froniusArchive, s.channel != nil || s.device != nil {
            r.problem("fronius", "only applies to fronius-archive")
        }
        if s.profile != .csv, s.csv != nil { r.problem("csv", "only applies to format \"csv\"") }
        if s.profile != .enphaseProductionJSON, s.enphaseSource != nil {
            r.problem("enphase", "only applies to enphase-production-json")
        }
        if s.profile != .openEMSEnergyPerPeriod, s.address != nil {
            r.problem("openems", "only applies to openems-energy-per-period")
        }
        if s.profile.needsTimeZone, zone == nil {
            r.problem(
                key,
                "\(name) gives site local times without an offset: declare the meter's timezone (the site's IANA zone)")
        }
        if let problem = kindMismatch(name + (s.channel.map { " (\($0))" } ?? ""), yields: s.kind, kind: kind) {
            r.problem(key, problem)
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

    private static func checkOptionsUnused(_ r: inout TableReader, _ s: SeriesSelector) {
        if s.meterType != nil || s.serial != nil {
            r.problem("solaredge", "only applies to solaredge-energy-details and solaredge-meters")
        }
        if s.channel != nil || s.device != nil { r.problem("fronius", "only applies to fronius-archive") }
        if s.csv != nil { r.problem("csv", "only applies to format \"csv\"") }
        if s.enphaseSource != nil { r.problem("enphase", "only applies to enphase-production-json") }
        if s.address != nil { r.problem("openems", "only applies to openems-energy-per-period") }
    }

    /// `backfill.*`: the history request of a meter whose gateway remembers.
    private static func readBackfill(_ r: inout TableReader, kind: MeterKind?, zone: String?, into p: inout Poll) {
        guard let table = r.table("backfill") else { return }
        var b = TableReader(table, path: r.keyPath("backfill"))
        let format = b.string("format")
        let profile: SeriesProfile?
        if let format {
            profile = SeriesProfile(rawValue: format)
            if profile == nil || !(profile?.isHistory ?? false) {
                b.problem(
                    "format",
                    "\"\(format)\" is not a history format (\(SeriesProfile.allCases.filter(\.isHistory).map(\.rawValue).joined(separator: ", ")))"
                )
            }
        } else if let own = p.series?.profile, own.isHistory {
            profile = own
        } else {
            profile = nil
            b.problem("format", "is required: the meter's format \"\(p.format)\" reads no history")
        }
        // The meter's own choices hold for a history of the same profile (energyDetails' meter type).
        let options = readSeriesOptions(&b, inherited: p.series?.profile == profile ? p.series : nil)
        var url = b.string("url")
        var body: String?
        if url == nil, p.isWindowed, profile == p.series?.profile {
            url = p.url
            body = p.body  // the meter's own request, POST and all
        }
        if url == nil, profile == .froniusArchive, let base = hostPart(of: p.url) {
            // The Datamanager's archive is on the same host as its realtime data.
            url =
                base + "/solar_api/v1/GetArchiveData.cgi?Scope=System&StartDate={start}&EndDate={end}&Channel="
                + (options.channel ?? "")
        }
        if url == nil, profile != nil {
            b.problem("url", "is required for \(profile!.rawValue): the history request with {start} and {end}")
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
            var selector = options
            selector.profile = profile
            var backfill = Backfill(url: url, series: selector)
            backfill.body = body
            backfill.contentType = body == nil ? nil : p.contentType
            if let horizon { backfill.horizonMilliseconds = horizon }
            if let span { backfill.maxSpanMilliseconds = span }
            if let pause { backfill.pauseMilliseconds = pause }
            if let timeout { backfill.timeoutMilliseconds = timeout }
            if let maxBytes { backfill.maxResponseBytes = Int(maxBytes) }
            checkSeries(&b, selector, key: "format", kind: kind, zone: zone)
            p.backfill = backfill
        }
        r.problems += b.finish()
    }

    /// "http://10.0.0.5:8080" of "http://10.0.0.5:8080/solar_api/...".
    private static func hostPart(of url: String) -> String? {
        guard let scheme = url.range(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        return String(url[..<end])
    }
}
