import Foundation
import Testing

@testable import JCMCore

private func problems(_ text: String) -> [ConfigProblem] {
    do {
        _ = try Config.parse(text)
        Issue.record("expected the configuration to be refused")
        return []
    } catch {
        return error.problems
    }
}

private func sortedProblems(_ list: [ConfigProblem]) -> [ConfigProblem] {
    list.sorted { ($0.line, $0.key, $0.message) < ($1.line, $1.key, $1.message) }
}

private let knownUnits = "J, kJ, MJ, GJ, Wh, Wmin, kWh, MWh, GWh, W, kW, MW, GW, L, kL, m3, kg, t, kgCO2, tCO2"
private let durationHint = #"(use ms, s, m, h, d: "500ms", "60s", "1h30m")"#

/// Line numbers matter in this text: the test names them.
private let brokenConfig = """
    [database]
    url = ""
    batch_rows = 10

    [daemon]
    state_dir = "state"
    log_levle = "info"
    clock_skew = "5 minutes"

    [[project]]
    id = "P1"
    methodology = "AM001"

    [[meter]]
    id = "M1"
    project = "P1"
    parameter = "EG_p"
    kind = "cumulative"
    unit = "kWh"
    url = "http://127.0.0.1:9100/meters/1"
    interval = "5x"

    [[meter]]
    id = "M2"
    project = "P9"
    parameter = "EG_p"
    kind = "cumulative"
    unit = "kwh"
    timezone = "Asia/Pune"

    [[meter]]
    id = "M1"
    project = "P1"
    parameter = "EG_p"
    kind = "interval"
    unit = "MWh"

    [[meter]]
    id = "M4"
    project = "P1"
    parameter = "EG_p"
    unit = "kWh"
    interval = "60s"
    json.value = "x"

    [[meter]]
    id = "M5"
    project = "P1"
    parameter = "EG_p"
    kind = "cumulative"
    unit = "kWh"
    url = "http://127.0.0.1:9100/meters/5"

    [[meter]]
    id = "M6"
    project = "P1"
    parameter = "EG_p"
    kind = "cumulative"
    unit = "kWh"
    url = "ftp://host/x"
    json.unit = "mWh"
    json.valu = "energy"

    [[watch]]
    dir = "incoming"
    timezone = "Mars/Olympus"

    [unknown_section]
    x = 1
    """

@Suite struct ConfigTests {
    static let demoPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/demo.toml").path

    @Test func demoConfigParses() throws {
        let text = try String(contentsOfFile: Self.demoPath, encoding: .utf8)
        let config = try Config.parse(text, file: Self.demoPath)  // its methodology files are beside it

        #expect(config.database.url == "")
        #expect(config.database.batchRows == 50_000)
        #expect(config.daemon.stateDir == "../.state")  // resolved against config/ when loaded
        #expect(config.daemon.logLevel == "info")
        #expect(config.daemon.clockSkewMilliseconds == 300_000)

        // 2025-04-01T00:00:00+05:30
        let start = Timestamp(microseconds: 1_743_445_800_000_000)
        let methodologies = (Self.demoPath as NSString).deletingLastPathComponent + "/methodologies/"
        func d(_ s: String) -> ExactDecimal { ExactDecimal(parsing: s)! }
        #expect(
            config.projects == [
                .init(
                    id: "IN-JP-0001", methodology: "IN_AM001 ver01.0", name: "Rooftop solar PV, Pune",
                    monitoringStart: start,
                    calculation: methodologies + "pv-grid.toml", values: ["EF_grid": d("0.757")]),
                .init(
                    id: "IN-JP-0002", methodology: "IN_AM002 ver01.0", name: "High-efficiency chiller, Chennai",
                    calculation: methodologies + "chiller.toml",
                    values: ["COP_PJ": d("6.1"), "COP_RE": d("4.2"), "EF_elec": d("0.757")]),
            ])
        #expect(config.methodologies.keys.sorted() == ["IN-JP-0001", "IN-JP-0002"])
        #expect(
            config.parameters.map { "\($0.project)/\($0.id) \($0.unit) \($0.option.rawValue)" }
                == ["IN-JP-0001/EG_p MWh C", "IN-JP-0001/PAC_p kW C", "IN-JP-0002/EC_PJ MWh C"])

        #expect(
            config.meters.map(\.id) == [
                "IN-JP-0001-PV-M1", "IN-JP-0001-PV-M1-POWER", "IN-JP-0001-PV-M2", "IN-JP-0002-CH-M1",
                "IN-JP-0001-PV-LOGGER",
            ])
        var m1Poll = Config.Poll(url: "http://127.0.0.1:9100/meters/1")
        m1Poll.intervalMilliseconds = 5_000
        m1Poll.payload = .json(Config.JSONMapping(value: "energy.total_wh", unit: "Wh", timestamp: "ts"))
        var m1 = Config.Meter(
            id: "IN-JP-0001-PV-M1", project: "IN-JP-0001", parameter: "EG_p",
            kind: .cumulative, unit: MeasurementUnit.named("kWh")!, poll: m1Poll)
        m1.plan.expectedIntervalMilliseconds = 5_000
        m1.plan.capacityPerHour = ExactDecimal(parsing: "60")!
        m1.plan.capacityText = "60 kW"
        m1.plan.maxPermissibleErrorPercent = ExactDecimal(parsing: "0.5")!
        m1.plan.stuckAfterMilliseconds = 3_600_000
        m1.plan.productionSignal = "IN-JP-0001-PV-M1-POWER"
        // 2025-03-20T00:00Z through the end of 2027-03-19 (UTC: the meter declares no zone).
        m1.plan.calibrations = [
            .init(
                certificate: "NABL-CC-2025-0117", calibrated: Timestamp(microseconds: 1_742_428_800_000_000),
                validUntil: Timestamp(microseconds: 1_805_500_800_000_000))
        ]
        m1.plan.calibrationRequired = true
        #expect(config.meters[0] == m1)
        #expect(config.meters[2].poll?.url == "http://127.0.0.1:9100/meters/2")
        // The logger declares Asia/Kolkata: its certificate's dates are local days.
        #expect(config.meters[4].plan.calibrations.first?.calibrated.description == "2025-03-19T18:30:00Z")
        #expect(config.meters[3].plan.range.map { "\($0.min)..\($0.max)" } == "0..10000000")

        let chiller = config.meters[3]
        #expect(chiller.unit.symbol == "MWh")
        #expect(chiller.poll?.intervalMilliseconds == 10_000)
        #expect(chiller.poll?.payload == .json(Config.JSONMapping(value: "energy.total_wh", unit: "Wh")))

        let logger = config.meters[4]
        #expect(logger.poll == nil)
        #expect(logger.timeZone == "Asia/Kolkata")
        #expect(logger.kind == .cumulative)

        #expect(config.watches == [Config.Watch(dir: "../.state/incoming", timeZone: "Asia/Kolkata")])
        #expect(config.watches[0].processedDir == "../.state/incoming/processed")
        #expect(config.watches[0].rejectedDir == "../.state/incoming/rejected")
    }

    @Test func reportsEveryProblemWithItsKeyPathAndLine() {
        let found = problems(brokenConfig)
        let expected: [ConfigProblem] = [
            .init(key: "database.batch_rows", line: 3, message: "must be between 100 and 1000000, not 10"),
            .init(key: "daemon.log_levle", line: 7, message: "unknown key; did you mean log_level?"),
            .init(key: "daemon.clock_skew", line: 8, message: #""5 minutes" is not a duration \#(durationHint)"#),
            // meter[1] has a url but no json.value.
            .init(key: "meter[1].json", line: 14, message: "a polled meter needs json.value (the path to its value)"),
            .init(key: "meter[1].interval", line: 21, message: #""5x" is not a duration \#(durationHint)"#),
            .init(key: "meter[2].project", line: 25, message: #"no [[project]] has id "P9""#),
            .init(key: "meter[2].unit", line: 28, message: #"unknown unit "kwh" (known: \#(knownUnits))"#),
            .init(key: "meter[2].timezone", line: 29, message: #"unknown IANA time zone "Asia/Pune""#),
            .init(key: "meter[3].id", line: 32, message: #""M1" is already the id of meter[1]"#),
            .init(key: "meter[4].kind", line: 38, message: "is required"),
            .init(key: "meter[4].interval", line: 43, message: "only applies to a meter with a url"),
            .init(key: "meter[4].json", line: 44, message: "only applies to a meter with a url"),
            .init(key: "meter[5].json", line: 46, message: "a polled meter needs json.value (the path to its value)"),
            .init(key: "meter[6].url", line: 60, message: "must start with http:// or https://"),
            .init(key: "meter[6].json.value", line: 61, message: "is required"),
            .init(key: "meter[6].json.unit", line: 61, message: #"unknown unit "mWh""#),
            .init(key: "meter[6].json.valu", line: 62, message: "unknown key; did you mean value?"),
            .init(
                key: "watch[1].timezone", line: 66,
                message:
                    #""Mars/Olympus" is not an IANA Area/Location name such as "Asia/Kolkata", nor UTC or Etc/…: abbreviations and legacy names mean different zones to different programs"#
            ),
            .init(key: "unknown_section", line: 68, message: "unknown key"),
        ]
        #expect(sortedProblems(found) == sortedProblems(expected))
        // Reported in line order.
        #expect(found.map(\.line) == found.map(\.line).sorted())
        #expect(found.count == expected.count)
    }

    @Test func errorDescriptionNamesFileLineAndKey() {
        do {
            _ = try Config.parse("[daemon]\nlog_level = \"loud\"\n", file: "/etc/jcm/jcm.toml")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "/etc/jcm/jcm.toml")
            #expect(
                error.description
                    == #"/etc/jcm/jcm.toml:2: daemon.log_level: "loud" is not one of trace, debug, info, notice, warning, error, critical"#
            )
        }
    }

    @Test func syntaxErrorIsOneProblem() {
        let found = problems("[daemon]\nstate_dir = \"unterminated\n")
        #expect(found.count == 1)
        #expect(found.first?.key == "(syntax)")
        #expect(found.first?.line == 2)
    }

    @Test(arguments: [
        (
            "[database]\nbatch_rows = \"100\"\n",
            ConfigProblem(key: "database.batch_rows", line: 2, message: "must be an integer")
        ),
        ("[database]\nurl = 5\n", ConfigProblem(key: "database.url", line: 2, message: "must be a string")),
        ("database = \"x\"\n", ConfigProblem(key: "database", line: 1, message: "must be a table")),
        ("meter = 5\n", ConfigProblem(key: "meter", line: 1, message: "must be an array of tables ([[meter]])")),
        (
            "[daemon]\nclock_skew = \"2d\"\n",
            ConfigProblem(key: "daemon.clock_skew", line: 2, message: #""2d" must be between 0 ms and 86400000 ms"#)
        ),
        (
            "[daemon]\nmax_connections = 0\n",
            ConfigProblem(key: "daemon.max_connections", line: 2, message: "must be between 1 and 65536, not 0")
        ),
        (
            "[daemon]\nmax_connections_per_host = 5000\n",
            ConfigProblem(
                key: "daemon.max_connections_per_host", line: 2, message: "must be between 1 and 1024, not 5000")
        ),
        (
            "[daemon]\nmax_connections = 16\nmax_connections_per_host = 32\n",
            ConfigProblem(
                key: "daemon.max_connections_per_host", line: 3, message: "32 is more than max_connections (16)")
        ),
        (
            "[[project]]\nid = \"P\"\nmethodology = \"M\"\n[[project]]\nid = \"P\"\nmethodology = \"N\"\n",
            ConfigProblem(key: "project[2].id", line: 5, message: #""P" is already the id of project[1]"#)
        ),
        ("[[project]]\nid = \"P\"\n", ConfigProblem(key: "project[1].methodology", line: 1, message: "is required")),
        ("[[watch]]\ntimezone = \"UTC\"\n", ConfigProblem(key: "watch[1].dir", line: 1, message: "is required")),
        (
            "[[watch]]\ndir = \"/in\"\nprocesed_dir = \"/done\"\n",
            ConfigProblem(key: "watch[1].procesed_dir", line: 3, message: "unknown key; did you mean processed_dir?")
        ),
    ])
    func singleProblems(_ text: String, _ expected: ConfigProblem) {
        #expect(problems(text) == [expected])
    }

    @Test(arguments: [
        ("interval = \"500ms\"", "meter[1].interval", #""500ms" must be between 1000 ms and 86400000 ms"#),
        ("interval = \"2d\"", "meter[1].interval", #""2d" must be between 1000 ms and 86400000 ms"#),
        ("timeout = \"50ms\"", "meter[1].timeout", #""50ms" must be between 100 ms and 600000 ms"#),
        ("connect_timeout = \"11m\"", "meter[1].connect_timeout", #""11m" must be between 100 ms and 600000 ms"#),
        ("max_response_bytes = 10", "meter[1].max_response_bytes", "must be between 1024 and 1073741824, not 10"),
        (
            "format = \"xml\"", "meter[1].format",
            #""xml" is not a known format (json, prometheus, shelly-gen1, shelly-gen1-meter, shelly-gen2-switch, shelly-gen2-emdata, shelly-gen2-em1data, shelly-gen2-em, tasmota, fronius-meter-consumed, fronius-meter-produced, fronius-inverter, fronius-powerflow, fronius-archive, enphase-production, enphase-production-json, enphase-total-consumption, enphase-net-consumption, solaredge-overview, solaredge-energy, solaredge-energy-details, solaredge-meters, emoncms, emoncms-feed-list, emoncms-feed-data, openems-channel, openems-energy-per-period, csv)"#
        ),
        ("kind = \"counter\"", "meter[1].kind", #""counter" is not one of cumulative, interval, instantaneous"#),
        ("json.unit = \"kwh\"", "meter[1].json.unit", #"unknown unit "kwh""#),
        ("json.path = \"v\"", "meter[1].json.path", "unknown key"),
        ("timezone = \"Asia/Pune\"", "meter[1].timezone", #"unknown IANA time zone "Asia/Pune""#),
        // Foundation reads IST as India and PostgreSQL as Israel: only Area/Location names pass.
        (
            "timezone = \"IST\"", "meter[1].timezone",
            #""IST" is not an IANA Area/Location name such as "Asia/Kolkata", nor UTC or Etc/…: abbreviations and legacy names mean different zones to different programs (this machine reads it as Asia/Kolkata; write that if you mean it)"#
        ),
        (
            "timezone = \"EST\"", "meter[1].timezone",
            #""EST" is not an IANA Area/Location name such as "Asia/Kolkata", nor UTC or Etc/…: abbreviations and legacy names mean different zones to different programs (this machine reads it as America/New_York; write that if you mean it)"#
        ),
        (
            "timezone = \"US/Eastern\"", "meter[1].timezone",
            #""US/Eastern" is not an IANA Area/Location name such as "Asia/Kolkata", nor UTC or Etc/…: abbreviations and legacy names mean different zones to different programs"#
        ),
        ("url = \"127.0.0.1:9100\"", "meter[1].url", "must start with http:// or https://"),
        ("redirects = \"follow\"", "meter[1].redirects", #""follow" is not one of none, same-origin, any"#),
    ])
    func polledMeterProblems(_ line: String, _ key: String, _ message: String) {
        // The meter is complete except for `line`, which overrides or adds one key on line 9.
        var lines = [
            "[[project]]", "id = \"P\"", "methodology = \"M\"",
            "[[meter]]", "id = \"M\"", "project = \"P\"", "parameter = \"EG_p\"", "unit = \"kWh\"",
        ]
        let overridden = line.split(separator: " ").first.map(String.init)!
        if overridden != "kind" { lines.insert("kind = \"cumulative\"", at: 8) }
        if overridden != "url" { lines.append("url = \"http://m/1\"") }
        lines.append("json.value = \"v\"")
        lines.append(line)
        let text = lines.joined(separator: "\n") + "\n"
        let lineNumber = lines.count
        #expect(problems(text) == [ConfigProblem(key: key, line: lineNumber, message: message)])
    }

    @Test func pollDefaults() throws {
        let config = try Config.parse(
            """
            [[project]]
            id = "P"
            methodology = "M"
            [[meter]]
            id = "M"
            project = "P"
            parameter = "EG_p"
            kind = "instantaneous"
            unit = "m³"
            url = "https://meter.example/api"
            json.value = "data[0].flow"
            json.unit_path = "data[0].unit"
            """)
        let meter = try #require(config.meters.first)
        #expect(meter.unit.symbol == "m3")
        #expect(meter.kind == .instantaneous)
        #expect(meter.timeZone == nil)
        let poll = try #require(meter.poll)
        #expect(poll.intervalMilliseconds == 60_000)
        #expect(poll.timeoutMilliseconds == 10_000)
        #expect(poll.connectTimeoutMilliseconds == 5_000)
        #expect(poll.maxResponseBytes == 1 << 20)
        #expect(poll.format == "json")
        #expect(poll.redirects == .sameOrigin)
        #expect(poll.payload == .json(Config.JSONMapping(value: "data[0].flow", unitPath: "data[0].unit")))
    }

    @Test func pollSettingsAreRead() throws {
        let config = try Config.parse(
            """
            [[project]]
            id = "P"
            methodology = "M"
            [[meter]]
            id = "M"
            project = "P"
            parameter = "EG_p"
            kind = "cumulative"
            unit = "kWh"
            url = "http://m/1"
            interval = "1h30m"
            timeout = "2500ms"
            connect_timeout = "1s"
            max_response_bytes = 4096
            redirects = "any"
            format = "json"
            json = { value = "v", unit = "Wh", timestamp = "t" }
            """)
        let poll = try #require(config.meters.first?.poll)
        #expect(poll.redirects == .any)
        #expect(poll.intervalMilliseconds == 5_400_000)
        #expect(poll.timeoutMilliseconds == 2_500)
        #expect(poll.connectTimeoutMilliseconds == 1_000)
        #expect(poll.maxResponseBytes == 4_096)
        #expect(poll.payload == .json(Config.JSONMapping(value: "v", unit: "Wh", timestamp: "t")))
    }

    @Test func emptyFileIsTheDefaults() throws {
        let config = try Config.parse("")
        #expect(config == Config())
        #expect(config.daemon.stateDir == "/var/lib/jcm-ingestd")
        #expect(config.daemon.logLevel == "info")
        #expect(config.database.batchRows == 50_000)
        #expect(config.daemon.clockSkewMilliseconds == 300_000)
        #expect(config.daemon.maxConnections == 512)
        #expect(config.daemon.maxConnectionsPerHost == 8)
    }

    @Test func daemonSettingsAreRead() throws {
        let config = try Config.parse(
            """
            [database]
            url = "postgresql://jcm@db/jcm"
            batch_rows = 1000
            [daemon]
            state_dir = "/srv/jcm"
            log_level = "debug"
            clock_skew = "30s"
            max_connections = 2000
            max_connections_per_host = 2
            """)
        #expect(config.daemon.maxConnections == 2_000)
        #expect(config.daemon.maxConnectionsPerHost == 2)
        #expect(config.database.url == "postgresql://jcm@db/jcm")
        #expect(config.database.batchRows == 1_000)
        #expect(config.daemon.stateDir == "/srv/jcm")
        #expect(config.daemon.logLevel == "debug")
        #expect(config.daemon.clockSkewMilliseconds == 30_000)
    }

    @Test func resolvingPaths() throws {
        var config = Config()
        config.daemon.stateDir = ".state"
        config.watches = [
            Config.Watch(dir: ".state/incoming"),
            Config.Watch(dir: "/abs/in", processedDir: "../done", rejectedDir: "/abs/bad"),
        ]
        let resolved = config.resolvingPaths(against: "/srv/jcm")
        #expect(resolved.daemon.stateDir == "/srv/jcm/.state")
        #expect(resolved.watches[0].dir == "/srv/jcm/.state/incoming")
        #expect(resolved.watches[0].processedDir == "/srv/jcm/.state/incoming/processed")
        #expect(resolved.watches[0].rejectedDir == "/srv/jcm/.state/incoming/rejected")
        #expect(resolved.watches[1].dir == "/abs/in")
        #expect(resolved.watches[1].processedDir == "/srv/done")
        #expect(resolved.watches[1].rejectedDir == "/abs/bad")
        // Everything else is untouched, and resolving twice changes nothing more.
        #expect(resolved.database == config.database)
        #expect(resolved.resolvingPaths(against: "/elsewhere") == resolved)
        // Absolute paths are left as they are.
        var absolute = Config()
        absolute.daemon.stateDir = "/var/lib/jcm-ingestd"
        #expect(absolute.resolvingPaths(against: "/srv") == absolute)
    }
}

@Suite struct MetricsConfigTests {
    @Test func listenIsHostAndPort() throws {
        #expect(
            try Config.parse("[metrics]\nlisten = \"127.0.0.1:9464\"\n").metricsListen
                == ListenAddress("127.0.0.1:9464"))
        #expect(try Config.parse("").metricsListen == nil)
        #expect(throws: ConfigError.self) { try Config.parse("[metrics]\nlisten = \"9464\"\n") }
        do {
            _ = try Config.parse("[metrics]\nlisten = \"localhost:http\"\nport = 1\n")
        } catch {
            #expect(error.problems.map(\.key) == ["metrics.listen", "metrics.port"])
        }
    }
}

@Suite struct ZoneNameTests {
    @Test(arguments: ["Asia/Kolkata", "Asia/Jakarta", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT-7"])
    func areaLocationNamesPass(_ name: String) { #expect(ZoneName.problem(name) == nil) }

    @Test(arguments: ["IST", "CST", "EST", "GMT", "Asia/Pune", "Kolkata", "US/Eastern", "PRC", ""])
    func abbreviationsAndLegacyNamesAreRefused(_ name: String) { #expect(ZoneName.problem(name) != nil) }
}
