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

    func decode(_ metric: String, _ labels: [String: String] = [:], body: String = exposition) -> Result<
        RawReading, JSONMeterDecoder.Failure
    > {
        PrometheusTextDecoder.decode(
            Array(body.utf8), selector: .init(metric: metric, labels: labels, unit: "Wh"), meterID: "M")
    }

    @Test func theOneMatchingSeriesIsTheReading() throws {
        let r = try decode("meter_energy_wh_total", ["channel": "0"]).get()
        #expect(r.value == "1.2345e+06" && r.unit == "Wh" && r.timestamp == nil)
        let stamped = try decode("meter_energy_wh_total", ["channel": "1"]).get()
        #expect(stamped.timestamp == "2025-11-26T12:00:00Z", "the sample's own time, from milliseconds")
        #expect(try decode("meter_power_w").get().value == "512")
        #expect(
            try decode("meter_energy_wh_total", ["note": "say \"hi\"\nthere"]).get().value == "7",
            "escaped label values")
        // Go's NaN and Inf come through as text; the validator refuses them (value_not_finite).
        #expect(try decode("odd_values", ["kind": "nan"]).get().value == "NaN")
    }

    @Test func noneOrSeveralMatchingIsARejectionThatSaysWhich() {
        #expect(
            decode("meter_energy_wh_total", ["channel": "9"])
                == .failure(
                    .init(
                        reason: .missingField,
                        detail: #"no sample of meter_energy_wh_total{channel="9"} in the response"#)))
        #expect(
            decode("meter_energy_wh_total", ["phase": "a"])
                == .failure(
                    .init(
                        reason: .payloadInvalid,
                        detail: #"2 samples match meter_energy_wh_total{phase="a"}; add labels to choose one"#)))
        #expect(
            decode("absent") == .failure(.init(reason: .missingField, detail: "no sample of absent in the response")))
    }

    @Test func whatIsNotAnExpositionIsRefused() {
        for body in [
            "<html><body>Login</body></html>", "metric{label=\"unterminated} 1", "metric 1 2 3", "{\"json\": true}",
        ] {
            guard case .failure(let f) = decode("metric", body: body) else {
                Issue.record("accepted: \(body)")
                continue
            }
            #expect(f.reason == .payloadInvalid, "\(body)")
        }
        #expect(
            PrometheusTextDecoder.decode([0x6D, 0xFF, 0x20, 0x31], selector: .init(metric: "m"), meterID: "M")
                == .failure(.init(reason: .payloadInvalid, detail: "response is not UTF-8 text")))
    }

    @Test func aTruncatedLastLineRefusesTheWholeExposition() throws {
        // Cut off in the middle of the value: 98765.5 arrived as 987.
        let cut = "meter_energy_wh_total{channel=\"0\"} 1500\nmeter_energy_wh_total{channel=\"1\"} 987"
        for metric in ["0", "1"] {
            #expect(
                decode("meter_energy_wh_total", ["channel": metric], body: cut)
                    == .failure(
                        .init(
                            reason: .payloadInvalid,
                            detail:
                                #"the exposition does not end with a line feed: its last line is cut off (meter_energy_wh_total{channel="1"} 987)"#
                        )),
                "channel \(metric): nothing of a cut-off body is read")
        }
        #expect(
            try decode("meter_energy_wh_total", ["channel": "1"], body: cut + "\n").get().value == "987",
            "the same line ended is whole")
        #expect(try decode("meter_energy_wh_total", ["channel": "1"], body: cut + "65.5\n").get().value == "98765.5")
    }

    func select(_ selector: String, body: String = exposition) throws -> Result<RawReading, JSONMeterDecoder.Failure> {
        let (metric, matchers) = try Config.PrometheusSelector.parse(selector).get()
        return PrometheusTextDecoder.decode(
            Array(body.utf8), selector: .init(metric: metric, matchers: matchers, unit: "Wh"), meterID: "M")
    }

    @Test func selectorsTakePromQLsFourMatchers() throws {
        #expect(try select(#"meter_energy_wh_total{phase="a", channel!="0"}"#).get().value == "98765.5")
        #expect(try select(#"meter_energy_wh_total{phase=~"b|c"}"#).get().value == "7")
        #expect(
            try select(#"meter_energy_wh_total{channel=~"[01]", phase !~ "a"}"#)
                == .failure(
                    .init(
                        reason: .missingField,
                        detail: #"no sample of meter_energy_wh_total{channel=~"[01]",phase!~"a"} in the response"#)))
        // A regular expression matches the whole value, not a part of it.
        #expect(try select(#"meter_energy_wh_total{channel=~"1", phase="a"}"#).get().value == "98765.5")
        #expect(
            try select(#"meter_energy_wh_total{channel=~"", phase="a"}"#)
                == .failure(
                    .init(
                        reason: .missingField,
                        detail: #"no sample of meter_energy_wh_total{channel=~"",phase="a"} in the response"#)))
        // A label the series does not carry is empty, as in PromQL: only channel 2 has a note.
        #expect(try select(#"meter_energy_wh_total{note="", channel="1"}"#).get().value == "98765.5")
        #expect(try select(#"meter_energy_wh_total{note!=""}"#).get().value == "7")
        #expect(try select("meter_power_w").get().value == "512")
        // Whole value: a value ending in a newline does not match the pattern without it.
        let trailing = "m{l=\"x\\n\"} 1\n"
        #expect(
            try select(#"m{l=~"x"}"#, body: trailing)
                == .failure(.init(reason: .missingField, detail: #"no sample of m{l=~"x"} in the response"#)))
        #expect(try select(#"m{l=~"x\n"}"#, body: trailing).get().value == "1")
    }

    @Test func aSelectorThatIsNotOneSaysWhy() throws {
        func why(_ text: String) -> String? {
            if case .failure(let p) = Config.PrometheusSelector.parse(text) { return p.why }
            return nil
        }
        #expect(why(#"{ch="1"}"#) == #"it must start with the metric name, as in gw_energy_wh_total{ch="1"}"#)
        #expect(why(#"m{ch=1}"#)?.hasPrefix("the label matchers are not") == true)
        #expect(why(#"m{ch=="1"}"#)?.hasPrefix("the label matchers are not") == true)
        #expect(why(#"m{ch=~"(a"}"#) == #"label ch: "(a" is not a valid regular expression"#)
        #expect(why(#"m{ch="1"} 12"#) == #"unexpected "12" after the selector"#)
        #expect(why(#"m{ch="1"}"#) == nil)
        #expect(why(#"m {ch="1"}"#) == nil, "a space before the braces, as PromQL allows")
        // PromQL's escapes only: a regex's backslash is written twice.
        #expect(why(#"m{ch=~"a\.b"}"#)?.hasPrefix("the label matchers are not") == true)
        #expect(try Config.PrometheusSelector.parse(#"m{ch=~"a\\.b"}"#).get().matchers.map(\.value) == [#"a\.b"#])
    }
}
