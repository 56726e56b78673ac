import Foundation
import Testing

@testable import JCMCore

/// Every registered gateway profile, reached the way a meter reaches it: `format` (and its keys)
/// in the configuration, a `PayloadFormat`, a vendor sample decoded. A profile registered without
/// a sample here, or without its section in docs/formats.md, fails.
@Suite("gateway profile registry")
struct GatewayProfileRegistryTests {
    struct Sample {
        var lines: [String] = []
        var body: String
        var value: String
    }

    static let fronius = #""Head":{"Status":{"Code":0},"Timestamp":"2024-05-02T11:35:00+02:00"}"#
    static let samples: [String: Sample] = [
        "shelly-gen1": .init(
            lines: ["channel = 1"], body: #"{"unixtime":1663863464,"emeters":[{"total":5.3},{"total":27004.2}]}"#,
            value: "27004.2"),
        "shelly-gen1-meter": .init(body: #"{"unixtime":0,"meters":[{"is_valid":true,"total":120}]}"#, value: "120"),
        "shelly-gen2-switch": .init(body: #"{"id":0,"aenergy":{"total":913.252}}"#, value: "913.252"),
        "shelly-gen2-emdata": .init(body: #"{"id":1,"result":{"id":0,"total_act":26289.57}}"#, value: "26289.57"),
        "shelly-gen2-em1data": .init(body: #"{"id":1,"total_act_energy":6644.90}"#, value: "6644.90"),
        "shelly-gen2-em": .init(body: #"{"id":0,"total_act_power":715.5}"#, value: "715.5"),
        "tasmota": .init(
            lines: ["channel = 1"],
            body: #"{"StatusSNS":{"Time":"2021-03-01T10:00:00+01:00","ENERGY":{"Total":[0,2.91]}}}"#,
            value: "2.91"),
        "fronius-meter-consumed": .init(
            body: #"{"Body":{"Data":{"EnergyReal_WAC_Sum_Consumed":941840}},\#(fronius)}"#, value: "941840"),
        "fronius-meter-produced": .init(
            lines: ["channel = 1"],
            body: #"{"Body":{"Data":{"1":{"EnergyReal_WAC_Sum_Produced":5}}},\#(fronius)}"#, value: "5"),
        "fronius-inverter": .init(
            body: #"{"Body":{"Data":{"TOTAL_ENERGY":{"Unit":"Wh","Value":36742265}}},\#(fronius)}"#, value: "36742265"),
        "fronius-powerflow": .init(
            body: #"{"Body":{"Data":{"Site":{"E_Total":28420510}}},\#(fronius)}"#, value: "28420510"),
        "fronius-archive": .init(
            lines: ["fronius.channel = \"EnergyReal_WAC_Sum_Produced\""], body: SeriesProfileTests.archive,
            value: "0"),
        "enphase-production": .init(body: #"{"wattHoursLifetime":10324050}"#, value: "10324050"),
        "enphase-production-json": .init(
            lines: ["enphase.source = \"inverters\""], body: SeriesProfileTests.enphase, value: "47023113"),
        "enphase-total-consumption": .init(body: SeriesProfileTests.enphase, value: "21440122.654"),
        "enphase-net-consumption": .init(body: SeriesProfileTests.enphase, value: "9011355.002"),
        "solaredge-overview": .init(
            lines: ["timezone = \"Europe/Berlin\""],
            body: #"{"overview":{"lastUpdateTime":"2013-10-01 08:00:00","lifeTimeData":{"energy":761985.75}}}"#,
            value: "761985.75"),
        "solaredge-energy": .init(
            lines: ["timezone = \"Europe/Berlin\""],
            body: #"{"energy":{"timeUnit":"DAY","unit":"Wh","values":[{"date":"2026-06-01 00:00:00","value":12.5}]}}"#,
            value: "12.5"),
        "solaredge-energy-details": .init(
            lines: ["timezone = \"Europe/Berlin\"", "solaredge.meter = \"Production\""],
            body: SeriesProfileTests.energyDetails, value: "812.0"),
        "solaredge-meters": .init(
            lines: ["timezone = \"Europe/Berlin\"", "solaredge.meter = \"Production\""],
            body: SeriesProfileTests.meters, value: "8923544.0"),
        "emoncms": .init(body: #"{"time":1764158400,"value":1234.5}"#, value: "1234.5"),
        "emoncms-feed-list": .init(
            lines: ["emoncms.feed = 7"],
            body: #"[{"id":"1","time":1,"value":3},{"id":7,"time":1764158390,"value":12}]"#,
            value: "12"),
        "emoncms-feed-data": .init(body: "[[1764158400000,7]]", value: "7"),
        "openems-channel": .init(body: #"{"unit":"Wh_Σ","value":1284310}"#, value: "1284310"),
        "openems-energy-per-period": .init(
            lines: ["openems.channel = \"_sum/ProductionActiveEnergy\""], body: OpenEMSDecoderTests.history,
            value: "812"),
        "csv": .init(
            lines: ["csv = { value = \"energy\", timestamp = \"ts\" }"], body: "ts,energy\n2026-06-01T00:15:00Z,4\n",
            value: "4"),
    ]

    /// The meter of `format` as the configuration reads it, with the kind its profile yields.
    static func poll(_ format: String, _ lines: [String]) throws -> Config.Poll {
        let kind = gatewayProfile(format, lines.joined(separator: "\n")).kind
        let unit = kind == .instantaneous ? "kW" : "kWh"
        let text = PayloadConfigTests.meter(kind: kind?.rawValue ?? "cumulative", ["format = \"\(format)\""] + lines)
            .replacingOccurrences(of: "unit = \"kWh\"", with: "unit = \"\(unit)\"")
        return try #require(try Config.parse(text).meters.first?.poll)
    }

    @Test func everyProfileHasASample() {
        #expect(Set(Self.samples.keys) == Set(GatewayProfiles.formats))
        #expect(GatewayProfiles.formats.count == Set(GatewayProfiles.formats).count, "a format read by two profiles")
    }

    @Test(arguments: GatewayProfiles.formats)
    func eachProfileDecodesItsSampleThroughPayloadFormat(_ format: String) throws {
        let sample = try #require(Self.samples[format])
        let poll = try Self.poll(format, sample.lines)
        guard case .gateway(let profile) = poll.payload else {
            Issue.record("\(format) is not read as a gateway profile")
            return
        }
        #expect(profile.format == format)
        #expect(type(of: profile).formats.contains(format))
        let decoded = try poll.payload.decode(Array(sample.body.utf8), meterID: "M").get()
        #expect(decoded.readings.first?.value == sample.value)
        #expect(PayloadFormat.names.contains(format))
    }

    /// Each profile names its keys; given to a format that does not read them, they are refused
    /// with who reads them, and `backfill.format` names only history formats.
    @Test func eachProfileNamesItsConfigKeys() throws {
        #expect(
            GatewayProfiles.keys.map(\.key.name).sorted() == [
                "channel", "csv", "emoncms", "enphase", "fronius", "openems", "solaredge",
            ])
        for (key, formats) in GatewayProfiles.keys {
            let text = PayloadConfigTests.meter(["format = \"enphase-production\"", "\(key.name) = 1"])
            let problems = PayloadConfigTests.problems(text)
            #expect(
                problems.contains(
                    "meter[1].\(key.name): only applies to \(key.appliesTo ?? GatewayProfiles.list(formats))"),
                "\(key.name): \(problems)")
        }
        for format in GatewayProfiles.historyFormats {
            #expect(gatewayProfile(format).isHistory, "\(format)")
        }
    }

    /// docs/formats.md shows every profile and every key.
    @Test func theDocsNameEveryProfileAndKey() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/formats.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        for format in GatewayProfiles.formats { #expect(text.contains("`\(format)`"), "\(format)") }
        for key in GatewayProfiles.keyNames { #expect(text.contains("`\(key)"), "\(key)") }
    }
}
