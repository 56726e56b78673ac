import Testing

@testable import JCMCore

/// The profiles with their own decoders, against samples of each vendor's documented response
/// (docs/formats.md shows the same ones), and what a broken answer becomes.
/// The history and multi-reading formats, by the names their tests use.
enum SeriesFormat: String, CaseIterable {
    case enphaseProductionJSON = "enphase-production-json"
    case enphaseTotalConsumption = "enphase-total-consumption"
    case enphaseNetConsumption = "enphase-net-consumption"
    case solarEdgeOverview = "solaredge-overview"
    case solarEdgeEnergy = "solaredge-energy"
    case solarEdgeEnergyDetails = "solaredge-energy-details"
    case solarEdgeMeters = "solaredge-meters"
    case froniusPowerFlow = "fronius-powerflow"
    case froniusArchive = "fronius-archive"
    case emoncmsFeedData = "emoncms-feed-data"
    case csv
    case openEMSEnergyPerPeriod = "openems-energy-per-period"
}

/// A gateway profile as a meter's configuration reads it: its `format` and TOML lines of its keys.
func gatewayProfile(_ format: String, _ toml: String = "") -> any GatewayProfile {
    var r = TableReader((try? TOML.parse(toml)) ?? TOMLTable(), path: "meter[1]")
    return GatewayProfiles.type(of: format)!.read(format: format, &r, GatewayReadContext())
}

@Suite("series profiles")
struct SeriesProfileTests {
    static func decode(
        _ body: String, _ profile: SeriesFormat, meterType: String? = nil, serial: String? = nil,
        channel: String? = nil, device: String? = nil, csv: Config.CSVColumns? = nil,
        enphaseSource: String? = nil
    ) -> Result<DecodedPayload, JSONMeterDecoder.Failure> {
        PollPayloadDecoder.decode(
            Array(body.utf8),
            profile: Self.profile(
                profile, meterType: meterType, serial: serial, channel: channel, device: device, csv: csv,
                enphaseSource: enphaseSource),
            meterID: "M")
    }

    static func profile(
        _ profile: SeriesFormat, meterType: String? = nil, serial: String? = nil, channel: String? = nil,
        device: String? = nil, csv: Config.CSVColumns? = nil, enphaseSource: String? = nil
    ) -> any GatewayProfile {
        func line(_ key: String, _ value: String?) -> String { value.map { "\(key) = \"\($0)\"\n" } ?? "" }
        return gatewayProfile(
            profile.rawValue,
            line("solaredge.meter", meterType) + line("solaredge.serial", serial) + line("fronius.channel", channel)
                + line("fronius.device", device) + line("enphase.source", enphaseSource)
                + line("csv.value", csv?.value) + line("csv.timestamp", csv?.timestamp) + line("csv.unit", csv?.unit)
                + line("csv.unit_column", csv?.unitColumn))
    }

    static func failure(_ r: Result<DecodedPayload, JSONMeterDecoder.Failure>) -> JSONMeterDecoder.Failure? {
        if case .failure(let f) = r { return f }
        return nil
    }

    // MARK: Enphase /production.json

    static let enphase = """
        {"production":[{"type":"inverters","activeCount":24,"readingTime":1672574917,"wNow":3215,"whLifetime":47023113},
        {"type":"eim","activeCount":1,"measurementType":"production","readingTime":1672575063,"wNow":3187.45,"whLifetime":46987653.121,
        "varhLeadLifetime":0.021,"whToday":10417.121,"whLastSevenDays":130155.121}],
        "consumption":[{"type":"eim","activeCount":1,"measurementType":"total-consumption","readingTime":1672575063,"wNow":1130.2,"whLifetime":21440122.654},
        {"type":"eim","activeCount":1,"measurementType":"net-consumption","readingTime":1672575063,"wNow":-2057.25,"whLifetime":9011355.002}],
        "storage":[{"type":"acb","activeCount":0,"readingTime":0,"wNow":0,"whNow":0,"state":"idle"}]}
        """

    @Test func enphaseReadsTheProductionCTAndItsTime() throws {
        let r = try #require(try Self.decode(Self.enphase, .enphaseProductionJSON).get().readings.first)
        #expect(r.value == "46987653.121")
        #expect(r.unit == "Wh")
        #expect(r.timestamp == "2023-01-01T12:11:03Z")
    }

    @Test func enphaseWithoutAMeteringCTReadsTheInverters() throws {
        // The eim element is listed with activeCount 0 when no production CT is installed.
        let body = Self.enphase.replacingOccurrences(
            of: #""type":"eim","activeCount":1,"measurementType":"production""#,
            with: #""type":"eim","activeCount":0,"measurementType":"production""#)
        let r = try #require(try Self.decode(body, .enphaseProductionJSON).get().readings.first)
        #expect(r.value == "47023113")
        #expect(r.timestamp == "2023-01-01T12:08:37Z")
    }

    /// Firmware that now and then reports a fitted CT with activeCount 0 would switch a counter
    /// between two sources; a pinned source never does.
    @Test func enphasePinnedToOneElementNeverSwitches() throws {
        let flicker = Self.enphase.replacingOccurrences(
            of: #""type":"eim","activeCount":1,"measurementType":"production""#,
            with: #""type":"eim","activeCount":0,"measurementType":"production""#)
        #expect(
            try Self.decode(Self.enphase, .enphaseProductionJSON, enphaseSource: "eim").get().readings.first?.value
                == "46987653.121")
        #expect(
            Self.failure(Self.decode(flicker, .enphaseProductionJSON, enphaseSource: "eim"))
                == .init(
                    reason: .deviceInvalid,
                    detail:
                        #"the production CT's element has activeCount 0 in this answer (enphase.source = "eim": the inverters' counter is not read instead)"#
                ))
        #expect(
            try Self.decode(Self.enphase, .enphaseProductionJSON, enphaseSource: "inverters").get().readings.first?
                .value == "47023113")
        #expect(
            Self.failure(
                Self.decode(
                    #"{"production":[{"type":"eim","activeCount":1,"measurementType":"production","readingTime":1,"whLifetime":5}]}"#,
                    .enphaseProductionJSON, enphaseSource: "inverters"))?.reason == .missingField)
    }

    /// activeCount is how many devices an element's value comes from: 0 marks it invalid.
    @Test func enphaseActiveCountZeroIsADeviceInvalidRejection() throws {
        let dark =
            #"{"production":[{"type":"inverters","activeCount":0,"readingTime":1672574917,"whLifetime":47023113},"#
            + #"{"type":"eim","activeCount":0,"measurementType":"production","readingTime":1672575063,"whLifetime":5}],"#
            + #""consumption":[{"type":"eim","activeCount":0,"measurementType":"net-consumption","readingTime":1672575063,"whLifetime":9}]}"#
        let none = JSONMeterDecoder.Failure(
            reason: .deviceInvalid,
            detail:
                #"the "inverters" element has activeCount 0: no microinverter is reporting, its whLifetime is not read"#
        )
        #expect(Self.failure(Self.decode(dark, .enphaseProductionJSON)) == none)
        #expect(Self.failure(Self.decode(dark, .enphaseProductionJSON, enphaseSource: "inverters")) == none)
        #expect(
            Self.failure(Self.decode(dark, .enphaseNetConsumption))
                == .init(
                    reason: .deviceInvalid,
                    detail: #"the "net-consumption" element has activeCount 0: no consumption CT is metering"#))
    }

    @Test func enphaseReadsTheFirstActiveCTElement() throws {
        let body =
            #"{"production":[{"type":"eim","activeCount":0,"measurementType":"production","readingTime":1,"whLifetime":5},"#
            + #"{"type":"eim","activeCount":1,"measurementType":"production","readingTime":2,"whLifetime":7},{"type":"inverters","readingTime":3,"whLifetime":9}]}"#
        #expect(try Self.decode(body, .enphaseProductionJSON).get().readings.first?.value == "7")
    }

    @Test func enphaseConsumption() throws {
        #expect(try Self.decode(Self.enphase, .enphaseTotalConsumption).get().readings.first?.value == "21440122.654")
        #expect(try Self.decode(Self.enphase, .enphaseNetConsumption).get().readings.first?.value == "9011355.002")
        let noCT =
            #"{"production":[{"type":"inverters","activeCount":24,"readingTime":1672574917,"whLifetime":47023113}],"consumption":[]}"#
        #expect(
            Self.failure(Self.decode(noCT, .enphaseNetConsumption))?.detail
                == #"no "net-consumption" element in "consumption" (the gateway has no consumption CT)"#)
        #expect(Self.failure(Self.decode(#"{"production":[]}"#, .enphaseProductionJSON))?.reason == .missingField)
        #expect(
            Self.failure(
                Self.decode(
                    #"{"production":[{"type":"inverters","readingTime":1672574917,"whLifetime":null}]}"#,
                    .enphaseProductionJSON))?.detail
                == #"value at path "production.0.whLifetime" is null"#)
    }

    // MARK: SolarEdge

    @Test func solarEdgeOverviewIsTheLifetimeEnergyInSiteTime() throws {
        let body = """
            {"overview":{"lastUpdateTime":"2013-10-01 08:00:00","lifeTimeData":{"energy":761985.75,"revenue":946.13104},
            "lastYearData":{"energy":761985.8,"revenue":0.0},"lastMonthData":{"energy":492736.7,"revenue":0.0},
            "lastDayData":{"energy":0.0,"revenue":0.0},"currentPower":{"power":0.0},"measuredBy":"INVERTER"}}
            """
        let r = try #require(try Self.decode(body, .solarEdgeOverview).get().readings.first)
        #expect(r.value == "761985.75")
        #expect(r.unit == "Wh")
        #expect(r.timestamp == "2013-10-01 08:00:00")
        #expect(
            Self.failure(
                Self.decode(
                    #"{"overview":{"lastUpdateTime":"2013-10-01 08:00:00","lifeTimeData":{}}}"#, .solarEdgeOverview))?
                .detail
                == #"no value at path "overview.lifeTimeData.energy""#)
    }

    @Test func solarEdgeEnergySkipsNullsAndKeepsTheRest() throws {
        let body = """
            {"energy":{"timeUnit":"QUARTER_OF_AN_HOUR","unit":"Wh","measuredBy":"INVERTER","values":[
            {"date":"2026-06-01 04:45:00","value":null},{"date":"2026-06-01 05:00:00","value":12.5},
            {"date":"2026-06-01 05:15:00","value":48.0},{"date":"2026-06-01 05:30:00","value":true},{"value":3.0},
            {"date":"2026-06-01 05:45:00"}]}}
            """
        let p = try Self.decode(body, .solarEdgeEnergy).get()
        #expect(p.readings.map(\.value) == ["12.5", "48.0"])
        #expect(p.readings.map(\.timestamp) == ["2026-06-01 05:00:00", "2026-06-01 05:15:00"])
        #expect(p.readings.allSatisfy { $0.unit == "Wh" })
        #expect(p.skipped == 2, "null and absent values are no data")
        #expect(p.rejected.map(\.reason) == [.valueNotNumeric, .missingField])
        #expect(p.rejected.last?.detail == #"no date string at path "energy.values.4.date""#)
    }

    static let energyDetails = """
        {"energyDetails":{"timeUnit":"QUARTER_OF_AN_HOUR","unit":"Wh","meters":[
        {"type":"Production","values":[{"date":"2026-06-01 12:00:00","value":812.0},{"date":"2026-06-01 12:15:00","value":790.25}]},
        {"type":"Consumption","values":[{"date":"2026-06-01 12:00:00","value":301.0},{"date":"2026-06-01 12:15:00"}]},
        {"type":"FeedIn","values":[{"date":"2026-06-01 12:00:00","value":511.0}]}]}}
        """

    @Test func solarEdgeEnergyDetailsChoosesTheMeterType() throws {
        let production = try Self.decode(Self.energyDetails, .solarEdgeEnergyDetails, meterType: "Production").get()
        #expect(production.readings.map(\.value) == ["812.0", "790.25"])
        #expect(
            production.periodMicroseconds == 900_000_000, "a quarter hour: the writer holds back the one in progress")
        let consumption = try Self.decode(Self.energyDetails, .solarEdgeEnergyDetails, meterType: "Consumption").get()
        #expect(consumption.readings.map(\.value) == ["301.0"])
        #expect(consumption.skipped == 1)
        #expect(
            Self.failure(Self.decode(Self.energyDetails, .solarEdgeEnergyDetails, meterType: "Purchased"))?.detail
                == #"no element of type "Purchased" in "energyDetails.meters""#)
    }

    static let meters = """
        {"meterEnergyDetails":{"timeUnit":"DAY","unit":"Wh","meters":[
        {"meterSerialNumber":"606D1E7B","connectedSolaredgeDeviceSN":"7F123456-5B","model":"SE-RGMTR-1D-240C-A","meterType":"Production",
        "values":[{"date":"2026-06-01 00:00:00","value":8923544.0},{"date":"2026-06-02 00:00:00","value":8951200.0},{"date":"2026-06-03 00:00:00","value":null}]},
        {"meterSerialNumber":"606D1E7C","meterType":"FeedIn","values":[{"date":"2026-06-01 00:00:00","value":3123.0}]},
        {"meterSerialNumber":"606D1E7D","meterType":"FeedIn","values":[{"date":"2026-06-01 00:00:00","value":99.0}]}]}}
        """

    @Test func solarEdgeMetersChoosesByTypeAndSerial() throws {
        let p = try Self.decode(Self.meters, .solarEdgeMeters, meterType: "Production").get()
        #expect(p.readings.map(\.value) == ["8923544.0", "8951200.0"])
        #expect(p.skipped == 1)
        #expect(
            Self.failure(Self.decode(Self.meters, .solarEdgeMeters, meterType: "FeedIn"))?.detail
                == #"2 elements of meterType "FeedIn" in "meterEnergyDetails.meters"; set solaredge.serial to choose one"#
        )
        #expect(
            try Self.decode(Self.meters, .solarEdgeMeters, meterType: "FeedIn", serial: "606D1E7D").get().readings.map(
                \.value) == ["99.0"])
    }

    @Test func solarEdgeResponsesThatHoldNothing() {
        #expect(
            Self.failure(Self.decode(#"{"energy":{"timeUnit":"DAY","unit":"Wh","values":[]}}"#, .solarEdgeEnergy))?
                .detail
                == #""energy.values" is empty: the response holds no interval"#)
        // What the API answers to a bad key or a range too long.
        let refused = #"{"String":"Invalid token"}"#
        #expect(Self.failure(Self.decode(refused, .solarEdgeEnergy))?.detail == #"no array at path "energy.values""#)
        #expect(
            Self.failure(Self.decode(refused, .solarEdgeMeters, meterType: "Production"))?.detail
                == #"no array at path "meterEnergyDetails.meters""#)
    }

    // MARK: Fronius

    @Test func froniusPowerFlowSiteEnergy() throws {
        let body = """
            {"Body":{"Data":{"Inverters":{"1":{"DT":99,"E_Day":14236,"E_Total":28420510,"E_Year":3127480,"P":2950}},
            "Site":{"E_Day":14236,"E_Total":28420510,"E_Year":3127480,"Meter_Location":"grid","Mode":"meter","P_Akku":null,"P_Grid":-1820.4,
            "P_Load":-1129.6,"P_PV":2950,"rel_Autonomy":100,"rel_SelfConsumption":38.3},"Version":"12"}},
            "Head":{"RequestArguments":{},"Status":{"Code":0,"Reason":"","UserMessage":""},"Timestamp":"2024-05-02T11:35:00+02:00"}}
            """
        let r = try #require(try Self.decode(body, .froniusPowerFlow).get().readings.first)
        #expect(r.value == "28420510")
        #expect(r.unit == "Wh")
        #expect(r.timestamp == "2024-05-02T11:35:00+02:00")
        let gen24 =
            #"{"Body":{"Data":{"Site":{"E_Day":null,"E_Total":null,"E_Year":null,"P_PV":2950}}},"Head":{"Status":{"Code":0},"Timestamp":"2024-05-02T11:35:00+02:00"}}"#
        let f = try #require(Self.failure(Self.decode(gen24, .froniusPowerFlow)))
        #expect(f.reason == .missingField)
        #expect(f.detail.contains("GEN24"))
    }

    static let archive = """
        {"Body":{"Data":{"inverter/1":{"Data":{"EnergyReal_WAC_Sum_Produced":{"Unit":"Wh","Values":{"600":31.4,"300":25.78,"0":0,"900":null}}},
        "DeviceType":232,"End":"2026-03-01T23:59:59+01:00","NodeType":97,"Start":"2026-03-01T00:00:00+01:00"},
        "meter:16220111":{"Data":{"EnergyReal_WAC_Plus_Absolute":{"Unit":"Wh","Values":{"0":2156712,"300":2156714.5}}},
        "DeviceType":-1,"End":"2026-03-01T23:59:59+01:00","NodeType":97,"Start":"2026-03-01T00:00:00+01:00"}}},
        "Head":{"RequestArguments":{"Channel":["EnergyReal_WAC_Sum_Produced","EnergyReal_WAC_Plus_Absolute"],"EndDate":"2026-03-01T23:59:59+01:00",
        "HumanReadable":"True","Scope":"System","SeriesType":"Detail","StartDate":"2026-03-01T00:00:00+01:00"},
        "Status":{"Code":0,"ErrorDetail":{"Nodes":[]},"Reason":"","UserMessage":""},"Timestamp":"2026-03-02T09:27:28+01:00"}}
        """

    @Test func froniusArchiveIsSecondsAfterStartInTimeOrder() throws {
        let p = try Self.decode(Self.archive, .froniusArchive, channel: "EnergyReal_WAC_Sum_Produced").get()
        #expect(p.readings.map(\.value) == ["0", "25.78", "31.4"])
        #expect(
            p.readings.map(\.timestamp) == ["2026-02-28T23:00:00Z", "2026-02-28T23:05:00Z", "2026-02-28T23:10:00Z"])
        #expect(p.readings.allSatisfy { $0.unit == "Wh" })
        #expect(p.skipped == 1)
        let meter = try Self.decode(Self.archive, .froniusArchive, channel: "EnergyReal_WAC_Plus_Absolute").get()
        #expect(meter.readings.map(\.value) == ["2156712", "2156714.5"])
    }

    @Test func froniusArchiveRefusals() {
        let refused =
            #"{"Body":{"Data":{}},"Head":{"Status":{"Code":255,"Reason":"Query timespan must not exceed 16 days","UserMessage":""},"Timestamp":"2026-03-02T09:27:28+01:00"}}"#
        #expect(
            Self.failure(Self.decode(refused, .froniusArchive, channel: "EnergyReal_WAC_Sum_Produced"))?.detail
                == "the Datamanager answered Head.Status.Code 255: Query timespan must not exceed 16 days")
        #expect(
            Self.failure(Self.decode(Self.archive, .froniusArchive, channel: "PowerReal_PAC_Sum"))?.detail
                == "no device in \"Body.Data\" holds channel PowerReal_PAC_Sum")
        #expect(
            Self.failure(
                Self.decode(Self.archive, .froniusArchive, channel: "EnergyReal_WAC_Sum_Produced", device: "inverter/2")
            )?.reason == .missingField)
    }

    // MARK: emoncms feed data

    @Test func emoncmsFeedDataSkipsNulls() throws {
        let p = try Self.decode(
            "[[1764158400000,1234.5],[1764158410000,null],[1764158420000,1235.25],[1764158430000],\"x\"]",
            .emoncmsFeedData
        ).get()
        #expect(p.readings.map(\.value) == ["1234.5", "1235.25"])
        #expect(p.readings.map(\.timestamp) == ["2025-11-26T12:00:00Z", "2025-11-26T12:00:20Z"])
        #expect(p.readings.allSatisfy { $0.unit == nil }, "emoncms units are free text: the meter's own")
        #expect(p.skipped == 1)
        #expect(p.rejected.map(\.reason) == [.recordMalformed, .recordMalformed])
        #expect(
            Self.failure(Self.decode("[]", .emoncmsFeedData))?.detail
                == "the response holds no data points (an empty array)")
        #expect(
            Self.failure(Self.decode(#"{"success":false,"message":"Username or password invalid"}"#, .emoncmsFeedData))?
                .detail.hasSuffix(": Username or password invalid") == true)
    }

    // MARK: CSV over HTTP

    @Test func csvColumnsByName() throws {
        let body =
            "site,ts,unit,energy\nA,2026-06-01T00:15:00Z,kWh,1.5\nA,2026-06-01T00:30:00Z,Wh,1700\nA,2026-06-01T00:45:00Z\n"
        let p = try Self.decode(
            body, .csv, csv: Config.CSVColumns(value: "energy", timestamp: "ts", unitColumn: "unit")
        ).get()
        #expect(p.readings.map(\.value) == ["1.5", "1700"])
        #expect(p.readings.map(\.unit) == ["kWh", "Wh"])
        #expect(p.readings.map(\.timestamp) == ["2026-06-01T00:15:00Z", "2026-06-01T00:30:00Z"])
        #expect(p.rejected.map(\.reason) == [.recordMalformed])
        #expect(p.rejected.first?.raw.location == "M:4")
        let fixed = try Self.decode(body, .csv, csv: Config.CSVColumns(value: "energy", timestamp: "ts", unit: "MWh"))
            .get()
        #expect(fixed.readings.map(\.unit) == ["MWh", "MWh"])
    }

    @Test func csvThatIsNotTheExpectedTable() {
        let columns = Config.CSVColumns(value: "energy", timestamp: "ts")
        #expect(
            Self.failure(Self.decode("<html><body>Login</body></html>", .csv, csv: columns))?.detail.hasPrefix(
                #"no column "energy" in the header"#) == true)
        #expect(
            Self.failure(Self.decode("ts,energy\n", .csv, csv: columns))?.detail
                == "the response has a header and no data rows")
        #expect(Self.failure(Self.decode("", .csv, csv: columns))?.reason == .missingField)
        let latin1: [UInt8] = Array("ts,energy\n2026-06-01T00:15:00Z,1".utf8) + [0xE9, 0x0A]
        let f = Self.failure(
            PollPayloadDecoder.decode(latin1, profile: Self.profile(.csv, csv: columns), meterID: "M"))
        #expect(f == JSONMeterDecoder.Failure(reason: .payloadInvalid, detail: "response is not UTF-8 text"))
    }

    // MARK: every JSON profile

    static let jsonProfiles: [(SeriesFormat, String?, String?)] = [
        (.enphaseProductionJSON, nil, nil), (.enphaseTotalConsumption, nil, nil), (.solarEdgeOverview, nil, nil),
        (.solarEdgeEnergy, nil, nil),
        (.solarEdgeEnergyDetails, "Production", nil), (.solarEdgeMeters, "Production", nil),
        (.froniusPowerFlow, nil, nil),
        (.froniusArchive, nil, "EnergyReal_WAC_Sum_Produced"), (.emoncmsFeedData, nil, nil),
    ]

    @Test func errorPagesAndTruncatedBodiesAreInvalidPayloads() {
        for (profile, meterType, channel) in Self.jsonProfiles {
            for body in [
                "<html><body><h1>502 Bad Gateway</h1></body></html>",
                #"{"energy":{"unit":"Wh","values":[{"date":"2026-06"#, "",
            ] {
                let f = Self.failure(Self.decode(body, profile, meterType: meterType, channel: channel))
                #expect(f?.reason == .payloadInvalid, "\(profile.rawValue): \(body.prefix(20))")
                #expect(f?.detail.hasPrefix("response is not JSON") == true)
            }
            let invalidUTF8 = PollPayloadDecoder.decode(
                [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D],
                profile: Self.profile(profile, meterType: meterType, channel: channel), meterID: "M")
            #expect(Self.failure(invalidUTF8)?.reason == .payloadInvalid, "\(profile.rawValue): invalid UTF-8")
        }
    }

    @Test func aPollDispatchesOnItsFormat() throws {
        var poll = Config.Poll(url: "http://m/")
        poll.payload = .json(Config.JSONMapping(value: "v", unit: "Wh"))
        #expect(
            try PollPayloadDecoder.decode(Array(#"{"v":5}"#.utf8), poll: poll, meterID: "M").get().readings.map(\.value)
                == ["5"])
        poll.payload = .gateway(EmoncmsProfile(.feedData))
        #expect(
            try PollPayloadDecoder.decode(Array("[[1764158400000,7]]".utf8), poll: poll, meterID: "M").get().readings
                .map(\.value) == ["7"])
    }

    /// The site's local times become instants through the meter's timezone, as every reading's.
    @Test func solarEdgeLocalTimesReadInTheMetersZone() throws {
        let meter = Config.Meter(
            id: "SE", project: "P", parameter: "EG", kind: .interval, unit: MeasurementUnit.named("kWh")!,
            timeZone: "Europe/Berlin")
        var validator = ReadingValidator(
            registry: MeterRegistry(meters: [meter], keys: ["SE": 1]), clockSkewMilliseconds: 0)
        let raw = try #require(
            try Self.decode(Self.energyDetails, .solarEdgeEnergyDetails, meterType: "Production").get().readings.first
                .map {
                    RawReading(
                        meterID: "SE", timestamp: $0.timestamp, value: $0.value, unit: $0.unit, location: "SE",
                        raw: $0.raw)
                })
        guard case .accepted(let r) = validator.validate(raw, now: Timestamp(microseconds: 1_900_000_000_000_000))
        else {
            Issue.record("not accepted")
            return
        }
        #expect(r.timestamp.description == "2026-06-01T10:00:00Z")
        #expect(r.value == ExactDecimal(parsing: "0.812")!)
    }
}
