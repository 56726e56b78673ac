import Testing

@testable import JCMCore

/// Each gateway profile against a sample of its vendor's documented response (docs/formats.md
/// names the source of each), and the failures a profile must not turn into a zero.
/// The single-reading gateway formats, by the names their tests use.
enum PayloadFormatName: String, CaseIterable, Sendable {
    case shellyGen1 = "shelly-gen1"
    case shellyGen1Meter = "shelly-gen1-meter"
    case shellyGen2Switch = "shelly-gen2-switch"
    case shellyGen2EMData = "shelly-gen2-emdata"
    case shellyGen2EM1Data = "shelly-gen2-em1data"
    case shellyGen2EM = "shelly-gen2-em"
    case tasmota
    case froniusMeterConsumed = "fronius-meter-consumed"
    case froniusMeterProduced = "fronius-meter-produced"
    case froniusInverter = "fronius-inverter"
    case enphaseProduction = "enphase-production"
    case emoncms
    case emoncmsFeedList = "emoncms-feed-list"
    case openEMSChannel = "openems-channel"
}

@Suite("gateway profiles")
struct PayloadProfileTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var profile: PayloadFormatName
        var channel: Int?
        var body: String
        var value: String
        var unit: String?
        var timestamp: String?
        var testDescription: String { profile.rawValue }
    }

    static let cases: [Case] = [
        .init(
            profile: .shellyGen1, channel: 1,
            body: """
                {"time":"18:17","unixtime":1663863464,"emeters":[{"power":10.66,"is_valid":true,"total":5.3,"total_returned":0.0},
                {"power":0,"is_valid":true,"total":27004.2,"total_returned":12.5}],"total_power":10.66}
                """, value: "27004.2", unit: "Wh", timestamp: "2022-09-22T16:17:44Z"),
        .init(
            profile: .shellyGen1Meter,
            body: """
                {"time":"17:42","unixtime":1703257592,"relays":[{"ison":true,"has_timer":false,"overpower":false,"source":"http"}],
                "meters":[{"power":14.72,"overpower":0.00,"is_valid":true,"timestamp":1703261192,"counters":[14.819,14.838,14.795],"total":2840723}]}
                """, value: "2840723", unit: "Wmin", timestamp: "2023-12-22T15:06:32Z"),
        .init(
            profile: .shellyGen2Switch,
            body: """
                {"id":0,"source":"init","output":true,"apower":25.7,"aenergy":{"total":913.252,"by_minute":[404.631,404.631,404.631],"minute_ts":1782936360}}
                """, value: "913.252", unit: "Wh"),
        .init(
            profile: .shellyGen2EMData,
            body: """
                {"id":0,"a_total_act_energy":0.06,"a_total_act_ret_energy":0,"c_total_act_energy":26289.44,"total_act":26289.57,"total_act_ret":131881.86}
                """, value: "26289.57", unit: "Wh"),
        .init(
            profile: .shellyGen2EM1Data, body: #"{"id":1,"total_act_energy":6644.90,"total_act_ret_energy":2595.26}"#,
            value: "6644.90", unit: "Wh"),
        .init(
            profile: .shellyGen2EM,
            body: """
                {"id":0,"a_current":4.029,"a_voltage":236.1,"a_act_power":951.2,"a_aprt_power":951.9,"a_pf":1,"a_freq":50,"b_current":4.027,"b_voltage":236.201,"b_act_power":-951.1,"b_aprt_power":951.8,"b_pf":1,"b_freq":50,"c_current":3.03,"c_voltage":236.402,"c_act_power":715.4,"c_aprt_power":716.2,"c_pf":1,"c_freq":50,"n_current":11.029,"total_current":11.083,"total_act_power":715.5,"total_aprt_power":2619.9,"user_calibrated_phase":[]}
                """, value: "715.5", unit: "W"),
        .init(
            profile: .tasmota,
            body: """
                {"StatusSNS":{"Time":"2020-06-29T22:22:24","ENERGY":{"TotalStartTime":"2020-06-24T09:25:29","Total":41.573,"Yesterday":6.147,"Today":8.286,"Power":2}}}
                """, value: "41.573", unit: "kWh", timestamp: "2020-06-29T22:22:24"),
        .init(
            profile: .tasmota, channel: 1,
            body: """
                {"StatusSNS":{"Time":"2021-03-01T10:00:00+01:00","ENERGY":{"Total":[0.000,2.910],"Power":[0,35]}}}
                """, value: "2.910", unit: "kWh", timestamp: "2021-03-01T10:00:00+01:00"),
        .init(
            profile: .froniusMeterConsumed,
            body: """
                {"Body":{"Data":{"EnergyReal_WAC_Sum_Consumed":941840,"EnergyReal_WAC_Sum_Produced":4075753,"PowerReal_P_Sum":-211.36,"TimeStamp":1560430330,"Visible":1}},
                "Head":{"RequestArguments":{"DeviceClass":"Meter","DeviceId":"0","Scope":"Device"},"Status":{"Code":0,"Reason":"","UserMessage":""},"Timestamp":"2019-06-13T14:52:10+02:00"}}
                """, value: "941840", unit: "Wh", timestamp: "2019-06-13T14:52:10+02:00"),
        .init(
            profile: .froniusMeterProduced,
            body: """
                {"Body":{"Data":{"EnergyReal_WAC_Sum_Consumed":941840,"EnergyReal_WAC_Sum_Produced":4075753}},"Head":{"Timestamp":"2019-06-13T14:52:10+02:00"}}
                """, value: "4075753", unit: "Wh", timestamp: "2019-06-13T14:52:10+02:00"),
        .init(
            profile: .froniusInverter,
            body: """
                {"Body":{"Data":{"PAC":{"Unit":"W","Value":3373},"DAY_ENERGY":{"Unit":"Wh","Value":8000},"TOTAL_ENERGY":{"Unit":"Wh","Value":36742265},
                "DeviceStatus":{"StatusCode":7}}},"Head":{"Status":{"Code":0},"Timestamp":"2024-05-02T11:35:00+02:00"}}
                """, value: "36742265", unit: "Wh", timestamp: "2024-05-02T11:35:00+02:00"),
        .init(
            profile: .enphaseProduction,
            body: #"{"wattHoursToday":18320,"wattHoursSevenDays":120440,"wattHoursLifetime":10324050,"wattsNow":2532}"#,
            value: "10324050", unit: "Wh"),
        .init(
            profile: .emoncms, body: #"{"time":1764158400,"value":1234.5}"#, value: "1234.5", unit: nil,
            timestamp: "2025-11-26T12:00:00Z"),
    ]

    /// The profile as a meter configured with it reads it.
    static func decode(_ p: PayloadFormatName, _ body: String, channel: Int? = nil) -> Result<
        RawReading, JSONMeterDecoder.Failure
    > {
        var poll = Config.Poll(url: "http://gw/")
        poll.payload = .gateway(gatewayProfile(p.rawValue, channel.map { "channel = \($0)" } ?? ""))
        return PollPayloadDecoder.decode(Array(body.utf8), poll: poll, meterID: "M").map { $0.readings[0] }
    }

    @Test(arguments: cases)
    func theVendorSampleGivesItsCounter(_ c: Case) throws {
        let r = try Self.decode(c.profile, c.body, channel: c.channel).get()
        #expect(r.value == c.value)
        #expect(r.unit == c.unit)
        #expect(r.timestamp == c.timestamp)
    }

    /// What gateways serve when something is wrong: each a rejection naming the field.
    @Test func brokenAnswersAreRejectionsNotZeros() {
        func failure(_ p: PayloadFormatName, _ body: String, channel: Int? = nil) -> JSONMeterDecoder.Failure? {
            if case .failure(let f) = Self.decode(p, body, channel: channel) { return f }
            return nil
        }
        #expect(
            failure(.shellyGen1, #"{"emeters":[]}"#)?.detail == #"no element 0 in "emeters" (the device reports 0)"#)
        #expect(
            failure(
                .froniusInverter,
                #"{"Body":{"Data":{"TOTAL_ENERGY":{"Unit":"Wh","Value":null}}},"Head":{"Timestamp":"2024-05-02T23:00:00+02:00"}}"#
            )?.reason == .missingField)
        #expect(
            failure(.tasmota, #"{"StatusSNS":{"Time":"2021-03-01T10:00:00","ENERGY":{"Total":[0.0,2.91]}}}"#)?.reason
                == .valueNotNumeric,
            "a two-channel device needs channel")
        #expect(failure(.emoncms, #"{"time":null,"value":null}"#)?.reason == .missingField)
        #expect(failure(.enphaseProduction, "<html><body>401 Unauthorized</body></html>")?.reason == .payloadInvalid)
    }

    /// Shelly Gen1 as its devices serve it: a channel that fails its self-check, a clock not yet
    /// synced, a plug read with the EM's profile.
    @Test func shellyGen1HonoursIsValidAndItsClock() throws {
        let em =
            #"{"unixtime":1663863464,"emeters":[{"is_valid":true,"total":5.3},{"power":0,"is_valid":false,"total":0.0}]}"#
        #expect(
            Self.decode(.shellyGen1, em, channel: 1)
                == .failure(
                    .init(
                        reason: .deviceInvalid,
                        detail: #"the device marks emeters.1 invalid (is_valid false): its total is not read"#)))
        #expect(try Self.decode(.shellyGen1, em, channel: 0).get().value == "5.3")
        let plug = #"{"unixtime":0,"meters":[{"power":0,"is_valid":false,"total":12}]}"#
        #expect(
            Self.decode(.shellyGen1Meter, plug)
                == .failure(
                    .init(
                        reason: .deviceInvalid,
                        detail: #"the device marks meters.0 invalid (is_valid false): its total is not read"#)))
        let unsynced = try Self.decode(.shellyGen1Meter, #"{"unixtime":0,"meters":[{"is_valid":true,"total":120}]}"#)
            .get()
        #expect(
            unsynced.timestamp == nil && unsynced.unit == "Wmin",
            "unixtime 0: the device has no time yet, the poll's is taken")
        #expect(
            try Self.decode(.shellyGen1, #"{"emeters":[{"total":1}]}"#).get().timestamp == nil,
            "no unixtime, no is_valid: read")
        #expect(
            Self.decode(.shellyGen1, plug)
                == .failure(
                    .init(
                        reason: .missingField,
                        detail:
                            #"no array at path "emeters" (the device reports "meters": use format "shelly-gen1-meter")"#
                    )))
        #expect(
            Self.decode(.shellyGen1Meter, #"{"emeters":[]}"#)
                == .failure(
                    .init(
                        reason: .missingField,
                        detail: #"no array at path "meters" (the device reports "emeters": use format "shelly-gen1")"#))
        )
        var poll = Config.Poll(url: "http://gw/status")
        poll.payload = .gateway(ShellyGen1Profile(plug: true))
        #expect(poll.readingsCarryTheirTime, "the device's clock is its readings' time")
    }

    /// Fronius answers every request with Head.Status; not 0 is the Datamanager refusing it,
    /// whatever Body.Data still holds.
    @Test func froniusStatusCodeNotZeroIsARejection() {
        let body =
            #"{"Body":{"Data":{"EnergyReal_WAC_Sum_Consumed":941840,"TOTAL_ENERGY":{"Unit":"Wh","Value":5}}},"#
            + #""Head":{"Status":{"Code":12,"Reason":"Device not available"},"Timestamp":"2019-06-13T14:52:10+02:00"}}"#
        for p in [PayloadFormatName.froniusMeterConsumed, .froniusInverter] {
            #expect(
                Self.decode(p, body)
                    == .failure(
                        .init(
                            reason: .payloadInvalid,
                            detail: "the Datamanager answered Head.Status.Code 12: Device not available")),
                "\(p.rawValue)")
        }
    }

    /// Shelly Gen2 over POST /rpc (or WebSocket, MQTT) wraps the status in a JSON-RPC envelope.
    @Test func shellyGen2ReadsAJSONRPCEnvelopeAsTheBareResult() throws {
        let envelope =
            #"{"id":1,"src":"shellypro3em-c8f09e8a1f84","dst":"jcm","result":{"id":0,"total_act":26289.57,"total_act_ret":131881.86}}"#
        #expect(try Self.decode(.shellyGen2EMData, envelope).get().value == "26289.57")
        #expect(
            try Self.decode(.shellyGen2Switch, #"{"id":7,"result":{"id":0,"aenergy":{"total":913.252}}}"#).get().value
                == "913.252")
        #expect(
            Self.decode(
                .shellyGen2EM1Data,
                #"{"id":1,"src":"x","error":{"code":-105,"message":"Argument 'id', value 3 not found!"}}"#)
                == .failure(
                    .init(
                        reason: .payloadInvalid,
                        detail: "the device answered a JSON-RPC error -105: Argument 'id', value 3 not found!")))
        #expect(
            Self.decode(.shellyGen2EM, #"{"id":1,"result":null}"#)
                == .failure(.init(reason: .payloadInvalid, detail: "the JSON-RPC result is null, not an object")))
        #expect(
            Self.decode(.shellyGen2EMData, #"{"id":1,"result":{"id":0}}"#)
                == .failure(.init(reason: .missingField, detail: #"no value at path "total_act""#)),
            "the path is the result's")
    }

    /// Multi-meter sources: each meter reads its element of a response that holds many.
    @Test func emoncmsFeedListAndFroniusScopeSystemGiveEachMeterItsOwn() throws {
        let list =
            #"[{"id":"1","name":"use","unit":"W","time":1764158400,"value":356},{"id":7,"name":"solar_kwh","unit":"kWh","time":1764158390,"value":1234.5},"#
            + #"{"id":"9","name":"new","time":null,"value":null}]"#
        func feed(_ id: String) -> Result<RawReading, JSONMeterDecoder.Failure> {
            var poll = Config.Poll(url: "http://emon/feed/list.json")
            poll.payload = .gateway(EmoncmsProfile(.feedList, feed: id))
            return PollPayloadDecoder.decode(Array(list.utf8), poll: poll, meterID: "M").map { $0.readings[0] }
        }
        #expect(
            try feed("7").get().value == "1234.5" && feed("7").get().timestamp == "2025-11-26T11:59:50Z", "a numeric id"
        )
        #expect(try feed("1").get().value == "356", "a string id")
        #expect(feed("9") == .failure(.init(reason: .missingField, detail: "feed 9 has no value (null)")))
        #expect(
            feed("4")
                == .failure(.init(reason: .missingField, detail: "no feed with id 4 in the list (it has 1, 7, 9)")))
        let system =
            #"{"Body":{"Data":{"0":{"EnergyReal_WAC_Sum_Consumed":941840,"EnergyReal_WAC_Sum_Produced":4075753},"#
            + #""1":{"EnergyReal_WAC_Sum_Consumed":12000,"EnergyReal_WAC_Sum_Produced":5}}},"Head":{"Status":{"Code":0},"Timestamp":"2019-06-13T14:52:10+02:00"}}"#
        #expect(try Self.decode(.froniusMeterConsumed, system, channel: 1).get().value == "12000")
        #expect(try Self.decode(.froniusMeterProduced, system, channel: 0).get().value == "4075753")
    }

    @Test func channelsOnlyWhereTheDeviceHasThem() {
        #expect(
            GatewayProfiles.keys.first { $0.key.name == "channel" }?.formats == [
                "shelly-gen1", "shelly-gen1-meter", "tasmota", "fronius-meter-consumed", "fronius-meter-produced",
            ])
    }
}
