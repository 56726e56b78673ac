import Foundation
import Testing

@testable import JCMCore

/// `format` for the profiles with their own decoders, and `backfill.*`: what check-config
/// refuses, and what it reads.
@Suite("payload and backfill configuration")
struct PayloadConfigTests {
    /// A polled meter of `kind` with `lines` added at its end.
    static func meter(kind: String = "cumulative", _ lines: [String]) -> String {
        ([
            "[[project]]", "id = \"P\"", "methodology = \"M\"",
            "[[meter]]", "id = \"M\"", "project = \"P\"", "parameter = \"EG_p\"", "unit = \"kWh\"",
            "kind = \"\(kind)\"",
            "url = \"http://10.0.0.5/solar_api/v1/GetMeterRealtimeData.cgi?Scope=Device&DeviceId=0\"",
        ] + lines).joined(separator: "\n") + "\n"
    }

    static func problems(_ text: String) -> [String] {
        do {
            _ = try Config.parse(text)
            return []
        } catch {
            return error.problems.map { "\($0.key): \($0.message)" }
        }
    }

    @Test func intervalProfilesNeedIntervalMetersAndCountersCumulative() {
        #expect(
            Self.problems(
                Self.meter(kind: "cumulative", ["format = \"solaredge-energy\"", "timezone = \"Europe/Berlin\""]))
                == [
                    #"meter[1].format: solaredge-energy gives energy per interval: it needs a meter of kind "interval", not "cumulative""#
                ])
        #expect(
            Self.problems(Self.meter(kind: "interval", ["format = \"enphase-production-json\""]))
                == [
                    #"meter[1].format: enphase-production-json gives a lifetime counter: it needs a meter of kind "cumulative", not "interval""#
                ])
        #expect(
            Self.problems(
                Self.meter(
                    kind: "cumulative",
                    ["format = \"fronius-archive\"", "fronius.channel = \"EnergyReal_WAC_Sum_Produced\""]))
                == [
                    #"meter[1].format: fronius-archive (EnergyReal_WAC_Sum_Produced) gives energy per interval: it needs a meter of kind "interval", not "cumulative""#
                ])
        #expect(Self.problems(Self.meter(kind: "interval", ["format = \"emoncms-feed-data\""])) == [])
        // The gateway profiles too: a counter, or EM.GetStatus's power.
        #expect(
            Self.problems(Self.meter(kind: "interval", ["format = \"tasmota\"", "timezone = \"Europe/Berlin\""]))
                == [
                    #"meter[1].format: tasmota gives a lifetime counter: it needs a meter of kind "cumulative", not "interval""#
                ])
        #expect(
            Self.problems(Self.meter(kind: "cumulative", ["format = \"shelly-gen2-em\""]))
                == [
                    #"meter[1].format: shelly-gen2-em gives an instantaneous value: it needs a meter of kind "instantaneous", not "cumulative""#
                ])
        #expect(
            Self.problems(
                Self.meter(kind: "instantaneous", ["format = \"shelly-gen2-em\""]).replacingOccurrences(
                    of: "unit = \"kWh\"", with: "unit = \"kW\"")) == [])
        #expect(Self.problems(Self.meter(kind: "interval", ["format = \"emoncms\""])) == [])
    }

    @Test func solarEdgeNeedsTheSitesZoneAndAMeterType() {
        #expect(
            Self.problems(Self.meter(kind: "cumulative", ["format = \"solaredge-overview\""]))
                == [
                    "meter[1].format: solaredge-overview gives site local times without an offset: declare the meter's timezone (the site's IANA zone)"
                ])
        #expect(
            Self.problems(
                Self.meter(kind: "interval", ["format = \"solaredge-energy-details\"", "timezone = \"Europe/Berlin\""]))
                == [
                    "meter[1].format: solaredge-energy-details needs solaredge.meter (Production, Consumption, SelfConsumption, FeedIn, Purchased)"
                ])
        #expect(
            Self.problems(
                Self.meter(
                    kind: "interval",
                    [
                        "format = \"solaredge-energy-details\"", "timezone = \"Europe/Berlin\"",
                        "solaredge.meter = \"Export\"",
                    ]))
                == [
                    #"meter[1].solaredge.meter: "Export" is not a SolarEdge meter type (Production, Consumption, SelfConsumption, FeedIn, Purchased)"#
                ])
        #expect(
            Self.problems(
                Self.meter(
                    kind: "interval",
                    [
                        "format = \"solaredge-energy\"", "timezone = \"Europe/Berlin\"",
                        "solaredge.meter = \"Production\"",
                    ]))
                == ["meter[1].solaredge: only applies to solaredge-energy-details and solaredge-meters"])
    }

    @Test func csvNeedsItsValueColumn() throws {
        #expect(
            Self.problems(Self.meter(["format = \"csv\""])) == [
                #"meter[1].format: format "csv" needs csv.value (the column of the value)"#
            ])
        #expect(
            Self.problems(
                Self.meter(["format = \"csv\"", "csv = { value = \"e\", unit = \"Wh\", unit_column = \"u\" }"]))
                == ["meter[1].csv.unit_column: give csv.unit (a fixed unit) or csv.unit_column, not both"])
        #expect(
            Self.problems(Self.meter(["json.value = \"v\"", "csv.value = \"e\""])) == [
                #"meter[1].csv: only applies to format "csv""#
            ])
        let config = try Config.parse(
            Self.meter(["format = \"csv\"", "csv = { value = \"energy\", timestamp = \"ts\", unit = \"Wh\" }"]))
        #expect(
            config.meters[0].poll?.payload
                == .gateway(CSVProfile(columns: Config.CSVColumns(value: "energy", timestamp: "ts", unit: "Wh"))))
    }

    /// Validators (ETag, Last-Modified) go back only to meters whose readings carry their time.
    @Test func conditionalRequestsOnlyWhereReadingsCarryTheirTime() throws {
        func carries(_ lines: [String], kind: String = "cumulative") throws -> Bool {
            try #require(Config.parse(Self.meter(kind: kind, lines)).meters[0].poll).readingsCarryTheirTime
        }
        #expect(try carries(["json = { value = \"e\", timestamp = \"t\" }"]))
        #expect(try !carries(["json.value = \"e\""]))
        #expect(try carries(["format = \"fronius-meter-consumed\""]))
        #expect(try carries(["format = \"enphase-production-json\""]))
        #expect(try carries(["format = \"solaredge-energy\"", "timezone = \"Europe/Berlin\""], kind: "interval"))
        #expect(try carries(["format = \"csv\"", "csv = { value = \"e\", timestamp = \"ts\" }"]))
        #expect(try !carries(["format = \"csv\"", "csv.value = \"e\""]))
        #expect(try !carries(["format = \"prometheus\"", "prometheus.metric = \"energy_wh_total\""]))
    }

    @Test func froniusBackfillDerivesTheArchiveRequest() throws {
        let config = try Config.parse(
            Self.meter([
                "format = \"fronius-meter-consumed\"", "backfill.format = \"fronius-archive\"",
                "backfill.fronius.channel = \"EnergyReal_WAC_Plus_Absolute\"", "backfill.horizon = \"2d\"",
            ]))
        let b = try #require(config.meters[0].poll?.backfill)
        #expect(
            b.url
                == "http://10.0.0.5/solar_api/v1/GetArchiveData.cgi?Scope=System&StartDate={start}&EndDate={end}&Channel=EnergyReal_WAC_Plus_Absolute"
        )
        #expect(b.format == .gateway(FroniusProfile(.archive, channel: "EnergyReal_WAC_Plus_Absolute")))
        #expect(b.horizonMilliseconds == 2 * 86_400_000)
        #expect(b.maxSpanMilliseconds == 16 * 86_400_000)
        #expect(b.pauseMilliseconds == 120_000, "the Solar API manual asks for 120 s between archive requests")
    }

    @Test func enphaseSourceIsReadAndOnlyForProductionJSON() throws {
        let config = try Config.parse(Self.meter(["format = \"enphase-production-json\"", "enphase.source = \"eim\""]))
        #expect(config.meters[0].poll?.payload == .gateway(EnphaseProfile(.productionJSON, source: "eim")))
        #expect(
            Self.problems(Self.meter(["format = \"enphase-production-json\"", "enphase.source = \"ct\""]))
                == [#"meter[1].enphase.source: "ct" is not an element of production.json (eim, inverters)"#])
        #expect(
            Self.problems(Self.meter(["format = \"enphase-net-consumption\"", "enphase.source = \"eim\""]))
                == ["meter[1].enphase: only applies to enphase-production-json"])
    }

    @Test func backfillProblems() {
        #expect(
            Self.problems(Self.meter(["format = \"fronius-meter-consumed\"", "backfill.horizon = \"2d\""]))
                == [
                    #"meter[1].backfill.format: is required: the meter's format "fronius-meter-consumed" reads no history"#
                ])
        #expect(
            Self.problems(
                Self.meter([
                    "format = \"fronius-meter-consumed\"", "backfill.format = \"fronius-archive\"",
                    "backfill.fronius.channel = \"EnergyReal_WAC_Sum_Produced\"",
                ]))
                == [
                    #"meter[1].backfill.format: fronius-archive (EnergyReal_WAC_Sum_Produced) gives energy per interval: it needs a meter of kind "interval", not "cumulative""#
                ])
        #expect(
            Self.problems(
                Self.meter(
                    kind: "interval",
                    ["format = \"emoncms-feed-data\"", "backfill.url = \"http://e/feed/data.json?id=1\""]))
                == ["meter[1].backfill.url: needs {start} and {end}, where the range of each request goes"])
        #expect(
            Self.problems(
                Self.meter([
                    "json.value = \"v\"", "backfill.format = \"tasmota\"", "backfill.url = \"http://e/{start}/{end}\"",
                ])
            )
            .first?.hasPrefix(#"meter[1].backfill.format: "tasmota" is not a history format"#) == true)
        #expect(
            Self.problems(
                Self.meter(
                    kind: "interval",
                    [
                        "format = \"emoncms-feed-data\"", "backfill.url = \"http://e/?start={start}&end={end}\"",
                        "backfill.horizn = \"1d\"",
                    ]))
                == ["meter[1].backfill.horizn: unknown key; did you mean horizon?"])
    }

    @Test func aWindowedUrlIsPolledAndBackfilledFromItsOwnRequest() throws {
        let url = "http://emon.local/feed/data.json?id=7&start={start}&end={end}&interval=10"
        let text = Self.meter(kind: "interval", ["format = \"emoncms-feed-data\""]).replacingOccurrences(
            of: "http://10.0.0.5/solar_api/v1/GetMeterRealtimeData.cgi?Scope=Device&DeviceId=0", with: url)
        let poll = try #require(try Config.parse(text).meters[0].poll)
        #expect(poll.isWindowed)
        #expect(poll.backfill?.url == url)
        #expect(poll.backfill?.format == .gateway(EmoncmsProfile(.feedData)))
        let json = text.replacingOccurrences(of: "format = \"emoncms-feed-data\"", with: "json.value = \"v\"")
        #expect(
            Self.problems(json) == [
                "meter[1].url: {start} and {end} only apply to a history format (fronius-archive, solaredge-energy, solaredge-energy-details, solaredge-meters, emoncms-feed-data, openems-energy-per-period, csv)"
            ])
        #expect(
            Self.problems(text.replacingOccurrences(of: "&end={end}", with: "")) == [
                "meter[1].url: needs both {start} and {end}, or neither"
            ])
    }

    /// `method`, `body` and `content_type`: a JSON-RPC meter, and a windowed one whose range
    /// goes into its body.
    @Test func aPOSTMeterHasItsBodyAndContentType() throws {
        let rpc = #"body = '{"id":1,"method":"EMData.GetStatus","params":{"id":0}}'"#
        let poll = try #require(
            try Config.parse(Self.meter(["format = \"shelly-gen2-emdata\"", "method = \"POST\"", rpc])).meters[0].poll)
        #expect(poll.method == "POST" && poll.body == #"{"id":1,"method":"EMData.GetStatus","params":{"id":0}}"#)
        #expect(poll.requestHeaders == ["Content-Type: application/json", "Expect:"])
        #expect(!poll.isWindowed && poll.backfill == nil)
        let typed = try #require(
            try Config.parse(
                Self.meter([
                    "json.value = \"v\"", "method = \"POST\"", "body = \"a=1\"",
                    "content_type = \"application/x-www-form-urlencoded\"",
                ])
            ).meters[0].poll)
        #expect(typed.requestHeaders == ["Content-Type: application/x-www-form-urlencoded", "Expect:"])
        #expect(try #require(try Config.parse(Self.meter(["json.value = \"v\""])).meters[0].poll).method == "GET")
        #expect(
            Self.problems(Self.meter(["json.value = \"v\"", rpc])) == [
                #"meter[1].body: only applies to method = "POST""#
            ])
        #expect(
            Self.problems(Self.meter(["json.value = \"v\"", "method = \"POST\""]))
                == [#"meter[1].method: "POST" needs body (the request body, e.g. a JSON-RPC request)"#])
        #expect(
            Self.problems(Self.meter(["json.value = \"v\"", "method = \"PUT\"", rpc]))
                == [#"meter[1].method: "PUT" is not GET or POST"#])
        #expect(
            Self.problems(Self.meter(["json.value = \"v\"", "content_type = \"text/plain\""]))
                == [#"meter[1].content_type: only applies to method = "POST" with a body"#])

        // OpenEMS history: {start} and {end} in the body make the meter windowed; its backfill
        // posts the same body.
        let history = Self.meter(
            kind: "interval",
            [
                "format = \"openems-energy-per-period\"", "method = \"POST\"", "timezone = \"Europe/Berlin\"",
                #"body = '{"jsonrpc":"2.0","id":"1","method":"queryHistoricTimeseriesEnergyPerPeriod","params":{"timezone":"Europe/Berlin","fromDate":"{start}","toDate":"{end}","channels":["_sum/ProductionActiveEnergy"],"resolution":{"value":15,"unit":"MINUTES"}}}'"#,
                "openems.channel = \"_sum/ProductionActiveEnergy\"",
            ])
        let windowed = try #require(try Config.parse(history).meters[0].poll)
        #expect(windowed.isWindowed)
        #expect(windowed.backfill?.body == windowed.body && windowed.backfill?.url == windowed.url)
        #expect(
            windowed.backfill?.format
                == .gateway(OpenEMSProfile(.energyPerPeriod, address: "_sum/ProductionActiveEnergy")))
        #expect(windowed.backfill?.requestHeaders == ["Content-Type: application/json", "Expect:"])
        #expect(
            Self.problems(Self.meter(["json.value = \"v\"", "openems.channel = \"_sum/X\""])) == [
                "meter[1].openems: only applies to openems-energy-per-period"
            ])
        #expect(
            Self.problems(Self.meter(["format = \"openems-energy-per-period\""]))
                == [
                    #"meter[1].format: openems-energy-per-period gives energy per interval: it needs a meter of kind "interval", not "cumulative""#
                ])
    }

    /// Meters reading elements of one response with the same request share one poll.
    @Test func multiMeterSourcesArePolledOnce() throws {
        func meter(_ id: String, _ url: String, _ lines: [String]) -> [String] {
            [
                "[[meter]]", "id = \"\(id)\"", "project = \"P\"", "parameter = \"EG_p\"", "unit = \"kWh\"",
                "kind = \"cumulative\"", "url = \"\(url)\"",
            ] + lines
        }
        let list = "http://emon/feed/list.json?apikey=K"
        let system = "http://10.0.0.5/solar_api/v1/GetMeterRealtimeData.cgi?Scope=System"
        let text =
            (["[[project]]", "id = \"P\"", "methodology = \"M\""]
            + meter("E1", list, ["format = \"emoncms-feed-list\"", "emoncms.feed = 1"])
            + meter("F-IN", system, ["format = \"fronius-meter-consumed\"", "channel = 0"])
            + meter("E7", list, ["format = \"emoncms-feed-list\"", "emoncms.feed = 7"])
            + meter("F-OUT", system, ["format = \"fronius-meter-produced\"", "channel = 0"])
            + meter("E-SLOW", list, ["format = \"emoncms-feed-list\"", "emoncms.feed = 8", "interval = \"5m\""])
            + meter(
                "F-DEVICE", system.replacingOccurrences(of: "System", with: "Device"),
                ["format = \"fronius-meter-consumed\""])).joined(separator: "\n") + "\n"
        let config = try Config.parse(text)
        #expect(
            config.sharedPolls == ["E1": ["E7"], "F-IN": ["F-OUT"]],
            "another interval is another poll; no channel, no sharing")
        #expect(
            Self.problems(Self.meter(["format = \"emoncms-feed-list\""])) == [
                "meter[1].format: emoncms-feed-list needs emoncms.feed (the id of the feed read)"
            ])
        #expect(
            Self.problems(Self.meter(["json.value = \"v\"", "emoncms.feed = 3"])) == [
                "meter[1].emoncms: only applies to emoncms-feed-list"
            ])
    }

    @Test func aHistoryFormatIsItsOwnBackfillWithItsChoices() throws {
        let config = try Config.parse(
            Self.meter(
                kind: "interval",
                [
                    "timezone = \"Europe/Berlin\"", "format = \"solaredge-energy-details\"",
                    "solaredge.meter = \"Production\"",
                    "backfill.url = \"https://monitoringapi.solaredge.com/site/1/energyDetails?timeUnit=QUARTER_OF_AN_HOUR&meters=PRODUCTION&startTime={start}&endTime={end}\"",
                ]))
        let b = try #require(config.meters[0].poll?.backfill)
        #expect(b.format == .gateway(SolarEdgeProfile(.energyDetails, meterType: "Production")))
        #expect(b.maxSpanMilliseconds == 28 * 86_400_000)
    }
}

@Suite("history requests")
struct HistoryRequestTests {
    /// 2026-03-01T00:00:00Z
    static let t0 = Timestamp(microseconds: 1_772_323_200_000_000)
    static func at(hours: Int64) -> Timestamp { Timestamp(microseconds: t0.microseconds + hours * 3_600_000_000) }

    @Test func aLongGapIsCutAtTheVendorsLimit() {
        let w = HistoryRequest.windows(after: Self.t0, through: Self.at(hours: 50), maxSpanMilliseconds: 86_400_000)
        #expect(w.map(\.after) == [Self.t0, Self.at(hours: 24), Self.at(hours: 48)])
        #expect(w.map(\.through) == [Self.at(hours: 24), Self.at(hours: 48), Self.at(hours: 50)])
        #expect(HistoryRequest.windows(after: Self.t0, through: Self.t0, maxSpanMilliseconds: 1_000).isEmpty)
    }

    @Test func placeholdersInEachVendorsConvention() {
        let w = HistoryRequest.Window(
            after: Timestamp(microseconds: Self.at(hours: 10).microseconds + 250_000),
            through: Timestamp(microseconds: Self.at(hours: 11).microseconds + 1))
        let berlin = TimeZone(identifier: "Europe/Berlin")
        #expect(
            HistoryRequest.url(
                template: "/a?StartDate={start}&EndDate={end}", profile: FroniusProfile(.archive), window: w, zone: nil)
                == "/a?StartDate=2026-03-01T10:00:00Z&EndDate=2026-03-01T11:00:01Z")
        #expect(
            HistoryRequest.url(
                template: "s={start}&e={end}", profile: SolarEdgeProfile(.energyDetails), window: w,
                zone: berlin)
                == "s=2026-03-01%2011:00:00&e=2026-03-01%2012:00:01")
        #expect(
            HistoryRequest.url(
                template: "s={start}&e={end}", profile: SolarEdgeProfile(.energy), window: w, zone: berlin)
                == "s=2026-03-01&e=2026-03-01")
        #expect(
            HistoryRequest.url(
                template: "start={start}&end={end}", profile: EmoncmsProfile(.feedData), window: w, zone: nil)
                == "start=1772359200000&end=1772362801000")
    }
}
