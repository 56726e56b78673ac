import Foundation

/// Reading `Config` from TOML. Every key, its type and default is listed in
/// config/jcm-ingestd.toml; this file and that one change together.
extension Config {
    /// `readFile` reads the methodology files that projects name in `calculation`; relative
    /// paths are resolved against the folder of `file` first. `readTOML` builds the document's
    /// tree, which is dropped once read (the daemon builds it on a thread of its own).
    public static func parse(
        _ text: String, file: String = "config.toml",
        readFile: (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) },
        readTOML: (String) throws(TOMLError) -> TOMLTable = TOML.parse
    ) throws(ConfigError) -> Config {
        let root: TOMLTable
        do {
            root = try readTOML(text)
        } catch {
            throw ConfigError(
                file: file,
                problems: [
                    ConfigProblem(
                        key: "(syntax)", line: error.line, message: "column \(error.column): \(error.message)")
                ])
        }
        var config = Config()
        var problems: [ConfigProblem] = []
        var top = TableReader(root, path: "")

        if let t = top.table("database") {
            var r = TableReader(t, path: "database")
            if let url = r.string("url") { config.database.url = url }
            if let rows = r.integer("batch_rows", range: 100...1_000_000) { config.database.batchRows = Int(rows) }
            problems += r.finish()
        }
        if let t = top.table("daemon") {
            var r = TableReader(t, path: "daemon")
            if let dir = r.string("state_dir") { config.daemon.stateDir = dir }
            if let level = r.string("log_level") {
                if ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(level) {
                    config.daemon.logLevel = level
                } else {
                    r.problem(
                        "log_level", "\"\(level)\" is not one of trace, debug, info, notice, warning, error, critical")
                }
            }
            if let skew = r.duration("clock_skew", range: 0...86_400_000) { config.daemon.clockSkewMilliseconds = skew }
            if let bytes = r.integer("spool_max_bytes", range: 1 << 20...1 << 40) {
                config.daemon.spoolMaxBytes = Int(bytes)
            }
            if let n = r.integer("max_connections", range: 1...65_536) { config.daemon.maxConnections = Int(n) }
            if let ms = r.duration("checkpoint_interval", range: 0...86_400_000) {
                config.daemon.checkpointIntervalMilliseconds = ms
            }
            if let dir = r.string("checkpoint_witness_dir") { config.daemon.checkpointWitnessDir = dir }
            if let url = r.string("checkpoint_witness_url") {
                if url.hasPrefix("http://") || url.hasPrefix("https://") {
                    config.daemon.checkpointWitnessURL = url
                } else {
                    r.problem("checkpoint_witness_url", "must be an http:// or https:// URL")
                }
            }
            if let node = r.node("ledger_writers") {
                let keys = node.value.arrayValue?.compactMap { $0.value.stringValue } ?? []
                if keys.count != node.value.arrayValue?.count ?? -1
                    || keys.contains(where: { LedgerDigest.bytes(hex: $0)?.count != 32 })
                {
                    r.problem(
                        "ledger_writers",
                        "must be a list of Ed25519 public keys, 64 hex digits each (as `jcm-ingestd key` prints)")
                } else {
                    config.daemon.ledgerWriters = keys
                }
            }
            if let n = r.integer("max_connections_per_host", range: 1...1_024) {
                config.daemon.maxConnectionsPerHost = Int(n)
            }
            if config.daemon.maxConnectionsPerHost > config.daemon.maxConnections {
                // The default per host (8) gives way to a smaller max_connections; a value set gives an error.
                if t["max_connections_per_host"] == nil {
                    config.daemon.maxConnectionsPerHost = config.daemon.maxConnections
                } else {
                    r.problem(
                        "max_connections_per_host",
                        "\(config.daemon.maxConnectionsPerHost) is more than max_connections (\(config.daemon.maxConnections))"
                    )
                }
            }
            problems += r.finish()
        }
        var projectTables: [String: (index: Int, table: TOMLTable)] = [:]
        for (i, t) in top.tables("project").enumerated() {
            var r = TableReader(t, path: "project[\(i + 1)]")
            let id = r.requiredString("id")
            let methodology = r.requiredString("methodology")
            let version = r.string("methodology_version")
            let name = r.string("name")
            let start = r.instant("monitoring_start", zone: nil)
            let calculation = r.string("calculation").map { resolve($0, besideFileAt: file) }
            let values = readValues(&r)
            let sources = readValueSources(&r)
            let allocation = readAllocation(&r)
            for key in ["values", "value_sources"] where calculation == nil && t[key] != nil {
                r.problem(key, "only applies with calculation (a methodology file)")
            }
            if let id, let methodology {
                if let first = config.projects.firstIndex(where: { $0.id == id }) {
                    r.problem("id", "\"\(id)\" is already the id of project[\(first + 1)]")
                } else {
                    projectTables[id] = (i, t)
                    var project = Project(
                        id: id, methodology: methodology, methodologyVersion: version, name: name,
                        monitoringStart: start, calculation: calculation, values: values)
                    project.valueSources = sources
                    project.allocation = allocation
                    config.projects.append(project)
                }
            }
            problems += r.finish()
        }
        for (i, t) in top.tables("parameter").enumerated() {
            var r = TableReader(t, path: "parameter[\(i + 1)]")
            if let p = readParameter(&r, projects: Set(config.projects.map(\.id))) {
                if config.parameters.contains(where: { $0.project == p.project && $0.id == p.id }) {
                    r.problem("id", "project \(p.project) already declares parameter \"\(p.id)\"")
                } else {
                    config.parameters.append(p)
                }
            }
            problems += r.finish()
        }
        var meterIndex: [String: Int] = [:]
        var meterTables: [String: TOMLTable] = [:]
        let meterTablesInOrder = top.tables("meter")
        // Its exact size: a fleet's meters are most of the daemon's memory (10,000: 10 MB), and
        // growth by doubling would leave up to two thirds more unused for the daemon's life.
        config.meters.reserveCapacity(config.meters.count + meterTablesInOrder.count)
        for (i, t) in meterTablesInOrder.enumerated() {
            var r = TableReader(t, path: "meter[\(i + 1)]")
            if let meter = readMeter(&r, projects: Set(config.projects.map(\.id))) {
                if let first = meterIndex[meter.id] {
                    r.problem("id", "\"\(meter.id)\" is already the id of meter[\(first + 1)]")
                } else {
                    meterIndex[meter.id] = i
                    meterTables[meter.id] = t
                    config.meters.append(meter)
                }
            }
            problems += r.finish()
        }
        for (i, t) in top.tables("watch").enumerated() {
            var r = TableReader(t, path: "watch[\(i + 1)]")
            let dir = r.requiredString("dir")
            let zone = r.string("timezone")
            if let zone, let why = ZoneName.problem(zone) { r.problem("timezone", why) }
            let processed = r.string("processed_dir")
            let rejected = r.string("rejected_dir")
            let csv = readCSVDialect(&r)
            let sheet = r.string("sheet")
            if sheet?.isEmpty == true {
                r.problem("sheet", "names no sheet: leave it out to read a workbook's first sheet")
            }
            if let dir {
                var watch = Watch(dir: dir, timeZone: zone, processedDir: processed, rejectedDir: rejected)
                watch.csv = csv
                watch.sheet = sheet
                config.watches.append(watch)
            }
            problems += r.finish()
        }
        var uploadIndex: [String: Int] = [:]
        for (i, t) in top.tables("upload").enumerated() {
            var r = TableReader(t, path: "upload[\(i + 1)]")
            if let upload = readUpload(&r) {
                if let first = uploadIndex[upload.id] {
                    r.problem("id", "\"\(upload.id)\" is already the id of upload[\(first + 1)]")
                } else {
                    uploadIndex[upload.id] = i
                    config.uploads.append(upload)
                }
            }
            problems += r.finish()
        }
        if let t = top.table("metrics") {
            var r = TableReader(t, path: "metrics")
            if let listen = r.string("listen") {
                if let address = ListenAddress(listen) {
                    config.metricsListen = address
                } else {
                    r.problem("listen", "\"\(listen)\" is not host:port (e.g. \"127.0.0.1:9464\")")
                }
            }
            problems += r.finish()
        }
        problems += config.checkPlan(meterTables: meterTables, positions: meterIndex)
        problems += config.loadCalculations(projectTables: projectTables, readFile: readFile)
        problems += top.problems
        for key in root.keys
        where !["database", "daemon", "project", "parameter", "meter", "watch", "upload", "metrics"].contains(key) {
            problems.append(ConfigProblem(key: key, line: root[key]?.line ?? 1, message: "unknown key"))
        }
        guard problems.isEmpty else {
            throw ConfigError(file: file, problems: problems.sorted { $0.line < $1.line })
        }
        return config
    }

    /// `[project.values]` or `values = { … }`: decimal strings or integers. A TOML float is
    /// refused: the parser has already made it binary floating point, and "0.1" is not 0.1 there.
    private static func readValues(_ r: inout TableReader) -> [String: ExactDecimal] {
        guard let t = r.table("values") else { return [:] }
        var out: [String: ExactDecimal] = [:]
        for (key, node) in t.nodes {
            let path = r.keyPath("values.\(key)")
            switch node.value {
            case .integer(let v): out[key] = ExactDecimal(significand: Int128(v), scale: 0)
            case .string(let text):
                if let v = ExactDecimal(parsing: text) {
                    out[key] = v
                } else {
                    r.problems.append(
                        ConfigProblem(key: path, line: node.line, message: "\"\(text)\" is not a decimal number"))
                }
            case .float(let f):
                // Swift prints a Double's shortest round-trip text: what the operator wrote, as a rule.
                r.problems.append(
                    ConfigProblem(
                        key: path, line: node.line,
                        message:
                            "write the value as a string (\(key) = \"\(f.isFinite ? "\(f)" : "0.533")\"): a TOML float is binary floating point, never exact"
                    ))
            default:
                r.problems.append(
                    ConfigProblem(
                        key: path, line: node.line, message: "must be a decimal string such as \"0.533\" or an integer")
                )
            }
        }
        return out
    }

    /// Relative paths are relative to the configuration file, not to the working directory:
    /// the file and its methodologies are deployed together.
    static func resolve(_ path: String, besideFileAt file: String) -> String {
        let folder = (file as NSString).deletingLastPathComponent
        guard !path.hasPrefix("/"), !folder.isEmpty else { return path }
        return (folder as NSString).appendingPathComponent(path)
    }

    private static func readMeter(_ r: inout TableReader, projects: Set<String>) -> Meter? {
        let id = r.requiredString("id")
        let project = r.requiredString("project")
        if let project, !projects.contains(project) { r.problem("project", "no [[project]] has id \"\(project)\"") }
        let parameter = r.requiredString("parameter")
        var kind: MeterKind?
        if let k = r.requiredString("kind") {
            kind = MeterKind(rawValue: k)
            if kind == nil { r.problem("kind", "\"\(k)\" is not one of cumulative, interval, instantaneous") }
        }
        var unit: MeasurementUnit?
        if let u = r.requiredString("unit") {
            unit = MeasurementUnit.named(u)
            if unit == nil {
                r.problem(
                    "unit",
                    "unknown unit \"\(u)\" (known: \(MeasurementUnit.all.map(\.symbol).joined(separator: ", ")))")
            }
        }
        let zone = r.string("timezone")
        if let zone, let why = ZoneName.problem(zone) { r.problem("timezone", why) }

        var poll: Poll?
        let interval = r.duration("interval", range: 1_000...86_400_000)
        let timeout = r.duration("timeout", range: 100...600_000)
        let connectTimeout = r.duration("connect_timeout", range: 100...600_000)
        let maxBytes = r.integer("max_response_bytes", range: 1_024...(1 << 30))
        let backoffMax = r.duration("backoff_max", range: 1_000...86_400_000)
        let lowSpeedBytes = r.integer("low_speed_limit", range: 1...(1 << 30))
        let lowSpeedTime = r.duration("low_speed_time", range: 1_000...600_000)
        let redirects = r.string("redirects")
        let tls = r.table("tls")
        let auth = r.table("auth")
        let format = r.string("format")
        let json = r.table("json")
        if let url = r.string("url") {
            var p = Poll(url: url)
            if !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                r.problem("url", "must start with http:// or https://")
            }
            if let interval { p.intervalMilliseconds = interval }
            if let timeout { p.timeoutMilliseconds = timeout }
            if let connectTimeout { p.connectTimeoutMilliseconds = connectTimeout }
            if let maxBytes { p.maxResponseBytes = Int(maxBytes) }
            if let backoffMax { p.backoffMaxMilliseconds = backoffMax }
            if let lowSpeedBytes { p.lowSpeedBytes = Int(lowSpeedBytes) }
            if let lowSpeedTime { p.lowSpeedMilliseconds = lowSpeedTime }
            if let redirects {
                if let policy = RedirectPolicy(rawValue: redirects) {
                    p.redirects = policy
                } else {
                    r.problem(
                        "redirects",
                        "\"\(redirects)\" is not one of \(RedirectPolicy.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
            }
            if let tls {
                var t = TableReader(tls, path: r.keyPath("tls"))
                p.tls = readTLS(&t)
                if p.tls != TLS(), !url.hasPrefix("https://") { r.problem("tls", "only applies to an https:// url") }
                r.problems += t.finish()
            }
            if let auth {
                var a = TableReader(auth, path: r.keyPath("auth"))
                p.auth = readAuth(&a)
                r.problems += a.finish()
            }
            readPayload(&r, format: format ?? "json", json: json, kind: kind, zone: zone, into: &p)
            poll = p
        } else {
            for key in [
                "interval", "timeout", "connect_timeout", "max_response_bytes", "backoff_max", "low_speed_limit",
                "low_speed_time",
                "redirects", "tls", "auth", "format", "json", "prometheus", "backfill", "method", "body",
                "content_type",
            ] + GatewayProfiles.keyNames where r.table[key] != nil {
                r.problem(key, "only applies to a meter with a url")
            }
        }
        let plan = readMeterPlan(&r, kind: kind, unit: unit, zone: zone)
        let texts = r.sheetTexts(point: true)
        guard let id, let project, let parameter, let kind, let unit else { return nil }
        var meter = Meter(
            id: id, project: project, parameter: parameter, kind: kind, unit: unit, timeZone: zone, poll: poll)
        meter.plan = plan
        meter.texts = texts
        return meter
    }
}

extension TableReader {
    /// The tables of an `[[array]]`; a problem when the key is something else.
    mutating func tables(_ key: String) -> [TOMLTable] {
        guard let node = node(key) else { return [] }
        guard case .array(let items) = node.value else {
            problem(key, "must be an array of tables ([[\(key)]])")
            return []
        }
        var out: [TOMLTable] = []
        for item in items {
            if case .table(let t) = item.value {
                out.append(t)
            } else {
                problem(key, "must be an array of tables ([[\(key)]])")
            }
        }
        return out
    }
}
