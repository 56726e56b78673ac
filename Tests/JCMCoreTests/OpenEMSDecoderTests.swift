import Foundation
import Testing

@testable import JCMCore

/// OpenEMS Edge's REST-Api: a channel's value now, and JSON-RPC energy per period.
@Suite("OpenEMS Edge")
struct OpenEMSDecoderTests {
    static func channel(_ body: String) -> Result<RawReading, JSONMeterDecoder.Failure> {
        var poll = Config.Poll(url: "http://edge:8084/rest/channel/_sum/ProductionActiveEnergy")
        poll.payload = .gateway(OpenEMSProfile(.channel))
        return PollPayloadDecoder.decode(Array(body.utf8), poll: poll, meterID: "M").map { $0.readings[0] }
    }

    static func periods(_ body: String, channel: String? = nil) -> Result<DecodedPayload, JSONMeterDecoder.Failure> {
        PollPayloadDecoder.decode(
            Array(body.utf8), profile: OpenEMSProfile(.energyPerPeriod, address: channel), meterID: "M")
    }

    @Test func aChannelIsItsValueInItsUnit() throws {
        let r = try Self.channel(#"{"type":"LONG","accessMode":"RO","text":"","unit":"Wh_Σ","value":1284310}"#).get()
        #expect(
            r.value == "1284310" && r.unit == "Wh" && r.timestamp == nil,
            "Wh_Σ, a cumulated counter, is Wh; the time is the poll's")
        #expect(
            try Self.channel(#"[{"address":"_sum/ProductionActivePower","unit":"W","value":465}]"#).get().unit == "W")
        #expect(try Self.channel(#"{"unit":"","value":3}"#).get().unit == nil, "no unit: the meter's own")
        #expect(
            Self.channel(#"{"address":"_sum/ProductionActiveEnergy","unit":"Wh_Σ","value":null}"#)
                == .failure(
                    .init(
                        reason: .missingField,
                        detail:
                            "channel _sum/ProductionActiveEnergy has no value (null: the Edge has not read it from its device)"
                    )))
        #expect(
            Self.channel(#"[{"value":1},{"value":2}]"#)
                == .failure(
                    .init(reason: .payloadInvalid, detail: "the url matched 2 channels; name one channel in it")))
    }

    static let history = """
        {"jsonrpc":"2.0","id":"7","result":{"timestamps":["2026-06-01T10:00:00Z","2026-06-01T10:15:00Z","2026-06-01T10:30:00Z"],
        "data":{"_sum/ProductionActiveEnergy":[812,null,301.5],"_sum/ConsumptionActiveEnergy":[1,2,3]}}}
        """

    @Test func energyPerPeriodIsAReadingPerPeriodAtItsStart() throws {
        let p = try Self.periods(Self.history, channel: "_sum/ProductionActiveEnergy").get()
        #expect(p.readings.map(\.timestamp) == ["2026-06-01T10:00:00Z", "2026-06-01T10:30:00Z"])
        #expect(p.readings.map(\.value) == ["812", "301.5"] && p.readings.allSatisfy { $0.unit == "Wh" })
        #expect(p.skipped == 1, "null: no data for the period, not a zero")
        #expect(p.periodMicroseconds == 900_000_000, "the resolution, from the periods' starts")
        let one =
            #"{"id":"1","result":{"timestamps":["2026-06-01T00:00:00Z"],"data":{"_sum/GridBuyActiveEnergy":[5]}}}"#
        #expect(try Self.periods(one).get().readings.map(\.value) == ["5"], "one channel needs no openems.channel")
    }

    @Test func energyPerPeriodRefusesWhatItCannotRead() {
        #expect(
            Self.periods(Self.history)
                == .failure(
                    .init(
                        reason: .payloadInvalid,
                        detail: #""result.data" holds 2 channels; set openems.channel to choose one"#)))
        #expect(
            Self.periods(Self.history, channel: "_sum/X")
                == .failure(
                    .init(
                        reason: .missingField,
                        detail:
                            #"no channel "_sum/X" in "result.data" (it has _sum/ProductionActiveEnergy, _sum/ConsumptionActiveEnergy)"#
                    )))
        #expect(
            Self.periods(#"{"id":"1","error":{"code":1000,"message":"Unable to find Timedata"}}"#)
                == .failure(
                    .init(
                        reason: .payloadInvalid,
                        detail: "the device answered a JSON-RPC error 1000: Unable to find Timedata")))
        #expect(
            Self.periods(#"{"id":"1","result":{"timestamps":["2026-06-01T00:00:00Z"],"data":{"c":[1,2]}}}"#)
                == .failure(.init(reason: .payloadInvalid, detail: #"2 values of "c" for 1 timestamps"#)))
        let bad = try? Self.periods(
            #"{"id":"1","result":{"timestamps":["2026-06-01T00:00:00Z",5],"data":{"c":[true,1]}}}"#
        ).get()
        #expect(bad?.rejected.map(\.reason) == [.valueNotNumeric, .timestampInvalid] && bad?.readings.isEmpty == true)
    }

    @Test func theBodyTakesTheWindowAsLocalDates() {
        let window = HistoryRequest.Window(
            after: Timestamp(microseconds: 1_780_267_500_000_000),
            through: Timestamp(microseconds: 1_780_272_000_000_000))
        let body = #"{"params":{"fromDate":"{start}","toDate":"{end}"}}"#
        #expect(
            HistoryRequest.url(
                template: body, profile: OpenEMSProfile(.energyPerPeriod), window: window,
                zone: TimeZone(identifier: "Pacific/Auckland"))
                == #"{"params":{"fromDate":"2026-06-01","toDate":"2026-06-01"}}"#)
    }
}
