import Testing

@testable import JCMCore

@Suite("OpenMetrics 1.0")
struct OpenMetricsDecoderTests {
    /// As an OpenMetrics exporter writes it: a counter family with `_total` and `_created`
    /// samples, a unit, fractional-second timestamps, an exemplar, and `# EOF`.
    static let exposition = """
        # TYPE gw_energy_joules counter
        # UNIT gw_energy_joules joules
        # HELP gw_energy_joules Energy counted by the meter.
        gw_energy_joules_total{ch="0"} 1.5e6 1764158400.125
        gw_energy_joules_created{ch="0"} 1700000000.0
        gw_energy_joules_total{ch="1"} 7200 # {trace_id="kk"} 1 1764158399.5
        # TYPE gw_power_watts gauge
        # UNIT gw_power_watts watts
        gw_power_watts{ch="0"} 512.5
        # TYPE gw_odd gauge
        gw_odd{unit="kwh"} 3
        # EOF

        """

    func decode(_ metric: String, _ labels: [String: String] = [:], unit: String? = nil, body: String = exposition)
        -> Result<RawReading, JSONMeterDecoder.Failure>
    {
        OpenMetricsDecoder.decode(
            Array(body.utf8), selector: .init(metric: metric, labels: labels, unit: unit), meterID: "M")
    }

    @Test func countersTimestampsUnitsAndExemplars() throws {
        let r = try decode("gw_energy_joules_total", ["ch": "0"]).get()
        #expect(r.value == "1.5e6" && r.unit == "J", "the family's # UNIT is the reading's unit")
        #expect(r.timestamp == "2025-11-26T12:00:00.125Z", "seconds with their fraction")
        // The counter family's name reads its _total sample, as Prometheus stores it.
        #expect(try decode("gw_energy_joules", ["ch": "1"]).get().value == "7200", "not the exemplar's 1")
        #expect(
            try decode("gw_energy_joules", ["ch": "1"]).get().timestamp == nil,
            "the exemplar's time is not the sample's")
        #expect(try decode("gw_energy_joules_created", ["ch": "0"]).get().value == "1700000000.0")
        #expect(try decode("gw_power_watts").get().unit == "W")
        #expect(try decode("gw_odd", unit: "kWh").get().unit == "kWh", "no # UNIT: prometheus.unit")
        #expect(try decode("gw_odd").get().unit == nil, "neither: the meter's own unit")
        #expect(try decode("gw_power_watts", unit: "W").get().unit == "W", "a configured unit that agrees")
    }

    @Test func aConfiguredUnitThatContradictsUNITIsRefused() {
        #expect(
            decode("gw_power_watts", unit: "kW")
                == .failure(
                    .init(
                        reason: .payloadInvalid,
                        detail: "# UNIT of gw_power_watts is watts (W), but prometheus.unit says kW")))
    }

    @Test func withoutEOFTheWholeExpositionIsRefused() {
        let cut = String(Self.exposition.dropLast("# EOF\n".count))
        for metric in ["gw_energy_joules", "gw_power_watts"] {
            #expect(
                decode(metric, ["ch": "0"], body: cut)
                    == .failure(
                        .init(
                            reason: .payloadInvalid,
                            detail:
                                "the OpenMetrics exposition does not end with \"# EOF\": it is cut off (last line: gw_odd{unit=\"kwh\"} 3)"
                        )))
        }
        #expect(throws: Never.self) { try decode("gw_power_watts", body: String(Self.exposition.dropLast())).get() }
    }

    @Test func whatIsNotOpenMetricsIsRefused() throws {
        for (body, why) in [
            ("m 1\n# EOF\n# EOF\n", "line 2 is not an OpenMetrics descriptor"),  // EOF before the end
            ("# a comment\nm 1\n# EOF\n", "line 1 is not an OpenMetrics descriptor"),
            ("m  1\n# EOF\n", "line 1 is not an OpenMetrics sample"),
            ("m 1 2 3\n# EOF\n", "line 1 is not an OpenMetrics sample"),
            ("m 1\n\n# EOF\n", "line 2 is not an OpenMetrics sample"),
        ] {
            guard case .failure(let f) = decode("m", body: body) else {
                Issue.record("accepted: \(body)")
                continue
            }
            #expect(f.reason == .payloadInvalid && f.detail.hasPrefix(why), "\(body): \(f.detail)")
        }
        #expect(
            try decode("m", body: "m{a=\" # \"} 4 # {a=\"b\"} 1\n# EOF\n").get().value == "4",
            "a label value holding \" # \"")
        #expect(
            decode("m", body: "m 1 1e30\n# EOF\n")
                == .failure(.init(reason: .timestampInvalid, detail: "sample timestamp 1e30 s is out of range")))
        #expect(
            decode("m", body: "m{a=\"1\"} 1\nm{a=\"2\"} 2\n# EOF\n")
                == .failure(.init(reason: .payloadInvalid, detail: "2 samples match m; add labels to choose one")))
    }

    @Test func theContentTypeChoosesTheParser() throws {
        #expect(OpenMetricsDecoder.isOpenMetrics("application/openmetrics-text; version=1.0.0; charset=utf-8"))
        #expect(OpenMetricsDecoder.isOpenMetrics("Application/OpenMetrics-Text"))
        #expect(!OpenMetricsDecoder.isOpenMetrics("text/plain; version=0.0.4; charset=utf-8"))
        #expect(!OpenMetricsDecoder.isOpenMetrics(nil))
        var poll = Config.Poll(url: "http://gw/metrics")
        poll.payload = .prometheus(.init(metric: "m", labels: [:], unit: "Wh"))
        #expect(poll.requestHeaders == [OpenMetricsDecoder.acceptHeader])
        let body = Array("m 2.5 1764158400.5\n# EOF\n".utf8)
        let open = try PollPayloadDecoder.decode(
            body, poll: poll, meterID: "M", contentType: "application/openmetrics-text; version=1.0.0"
        ).get()
        #expect(open.readings.map(\.timestamp) == ["2025-11-26T12:00:00.5Z"])
        // Served as the text format, the same body is not one: its timestamp is not an integer.
        #expect(throws: JSONMeterDecoder.Failure.self) {
            try PollPayloadDecoder.decode(body, poll: poll, meterID: "M", contentType: "text/plain").get()
        }
    }
}
