import Testing
@testable import JCMCore

@Suite("Prometheus text format")
struct PrometheusTextDecoderTests {
    static let exposition = """
        # HELP meter_energy_wh_total Energy counted by the meter.
        # TYPE meter_energy_wh_total counter
        meter_energy_wh_total{channel="0",phase="a"} 1.2345e+06
        meter_energy_wh_total{channel="1",phase="a"} 98765.5 1764158400000
        meter_energy_wh_total{channel="2",phase="b",note="say \\"hi\\"\\nthere"} 7
        meter_power_w 512
        odd_values{kind="nan"} NaN
        odd_values{kind="inf"} +Inf

        """

    func decode(_ metric: String, _ labels: [String: String] = [:], body: String = exposition) -> Result<RawReading, JSONMeterDecoder.Failure> {
        PrometheusTextDecoder.decode(Array(body.utf8), selector: .init(metric: metric, labels: labels, unit: "Wh"), meterID: "M")
    }

    @Test func theOneMatchingSeriesIsTheReading() throws {
        let r = try decode("meter_energy_wh_total", ["channel": "0"]).get()
        #expect(r.value == "1.2345e+06" && r.unit == "Wh" && r.timestamp == nil)
        let stamped = try decode("meter_energy_wh_total", ["channel": "1"]).get()
        #expect(stamped.timestamp == "2025-11-26T12:00:00Z", "the sample's own time, from milliseconds")
        #expect(try decode("meter_power_w").get().value == "512")
        #expect(try decode("meter_energy_wh_total", ["note": "say \"hi\"\nthere"]).get().value == "7", "escaped label values")
        // Go's NaN and Inf come through as text; the validator refuses them (value_not_finite).
        #expect(try decode("odd_values", ["kind": "nan"]).get().value == "NaN")
    }

    @Test func noneOrSeveralMatchingIsARejectionThatSaysWhich() {
        #expect(decode("meter_energy_wh_total", ["channel": "9"]) == .failure(.init(reason: .missingField, detail: #"no sample of meter_energy_wh_total{channel="9"} in the response"#)))
        #expect(decode("meter_energy_wh_total", ["phase": "a"]) == .failure(.init(reason: .payloadInvalid, detail: #"2 samples match meter_energy_wh_total{phase="a"}; add labels to choose one"#)))
        #expect(decode("absent") == .failure(.init(reason: .missingField, detail: "no sample of absent in the response")))
    }

    @Test func whatIsNotAnExpositionIsRefused() {
        for body in ["<html><body>Login</body></html>", "metric{label=\"unterminated} 1", "metric 1 2 3", "{\"json\": true}"] {
            guard case .failure(let f) = decode("metric", body: body) else { Issue.record("accepted: \(body)"); continue }
            #expect(f.reason == .payloadInvalid, "\(body)")
        }
        #expect(PrometheusTextDecoder.decode([0x6D, 0xFF, 0x20, 0x31], selector: .init(metric: "m"), meterID: "M")
                == .failure(.init(reason: .payloadInvalid, detail: "response is not UTF-8 text")))
    }
}
