import Testing

@testable import JCMCore

/// The monitoring-plan keys: each mistake named with its key path and line, as check-config
/// prints it.
@Suite struct PlanConfigTests {
    static let broken = """
        [[project]]
        id = "P"
        methodology = "M"
        monitoring_start = "someday"

        [[parameter]]
        project = "P"
        id = "EG_p"
        unit = "MWh"
        option = "D"

        [[parameter]]
        project = "P"
        id = "FC_p"
        unit = "kL"
        option = "B"

        [[meter]]
        id = "A"
        project = "P"
        parameter = "EG_x"
        kind = "cumulative"
        unit = "kWh"
        capacity = "500 kWh"
        range = [10, 1]
        max_permissible_error = "2"

        [[meter]]
        id = "B"
        project = "P"
        parameter = "FC_p"
        kind = "interval"
        unit = "kWh"
        rollover = 1000
        production_signal = "A"

        [[meter]]
        id = "C"
        project = "P"
        parameter = "FC_p"
        kind = "cumulative"
        unit = "L"
        production_signal = "A"
        stuck_after = "10s"

        [[meter.calibration]]
        certificate = "X"
        calibrated = 2026-02-01
        valid_until = 2026-01-01
        """

    @Test func everyPlanMistakeIsNamedWithItsLine() {
        var found: [ConfigProblem] = []
        do { _ = try Config.parse(Self.broken) } catch { found = error.problems }
        let got = found.map { "\($0.line) \($0.key): \($0.message)" }
        #expect(
            got == [
                #"4 project[1].monitoring_start: "someday" is not a date or date-time"#,
                #"10 parameter[1].option: "D" is not one of A (default data), B (transaction records), C (measured)"#,
                #"21 meter[1].parameter: project P declares no [[parameter]] "EG_x""#,
                #"24 meter[1].capacity: "kWh" is not a power (W, kW, MW, GW) nor a unit per hour ("m3/h")"#,
                "25 meter[1].range: min 10 is above max 1",
                #"26 meter[1].max_permissible_error: "2" is not a percentage between 0% and 100% (e.g. "0.5%")"#,
                "33 meter[2].unit: kWh (energy) does not measure parameter FC_p, kept in kL (volume)",
                "34 meter[2].rollover: only applies to a cumulative meter",
                "35 meter[2].production_signal: only applies to a cumulative meter",
                #"43 meter[3].production_signal: meter "A" must be an instantaneous meter of project P"#,
                #"44 meter[3].stuck_after: "10s" must be between 60000 ms and 31536000000 ms"#,
                "49 meter[3].calibration[1].valid_until: is not after calibrated",
            ])
    }
}

/// `[meter.tls]` and `[meter.auth]`: secrets only by file, and each mistake named.
@Suite struct PollSecurityConfigTests {
    static let head =
        "[[project]]\nid = \"P\"\nmethodology = \"M\"\n\n[[meter]]\nid = \"A\"\nproject = \"P\"\nparameter = \"EG_p\"\nkind = \"cumulative\"\nunit = \"kWh\"\njson.value = \"v\"\n"

    func problems(_ text: String) -> [String] {
        do {
            _ = try Config.parse(Self.head + text)
            return []
        } catch { return error.problems.map { "\($0.key): \($0.message)" } }
    }

    @Test func secretsInTheConfigurationAreRefused() {
        #expect(
            Set(
                problems(
                    "url = \"https://gw/x\"\nauth.type = \"basic\"\nauth.username = \"u\"\nauth.password = \"hunter2\"\n"
                )) == [
                    "meter[1].auth.password: secrets never go in the configuration: put it in a file and name it with secret_file",
                    "meter[1].auth.secret_file: is required: the file holding the password",
                ])
    }

    @Test func eachKindNamesWhatItNeeds() {
        #expect(
            problems("url = \"https://gw/x\"\nauth.type = \"header\"\n") == [
                #"meter[1].auth.header: is required: the request header that carries the key, e.g. "X-API-Key""#,
                "meter[1].auth.secret_file: is required: the file holding the key",
            ])
        #expect(
            problems("url = \"https://gw/x\"\nauth.type = \"oauth\"\n") == [
                #"meter[1].auth.type: "oauth" is not one of none, basic, digest, bearer, header"#
            ])
        #expect(
            problems("url = \"http://gw/x\"\ntls.ca_file = \"/etc/gw-ca.pem\"\n") == [
                "meter[1].tls: only applies to an https:// url"
            ])
        #expect(
            problems("url = \"https://gw/x\"\ntls.client_cert = \"/etc/c.pem\"\n") == [
                "meter[1].tls.client_cert: client_cert and client_key go together"
            ])
        #expect(
            problems("url = \"https://gw/x\"\ntls.verify = \"no\"\n") == ["meter[1].tls.verify: must be true or false"])
        #expect(problems("auth.type = \"bearer\"\n").contains("meter[1].auth: only applies to a meter with a url"))
    }

    @Test func aGoodSecuredMeterParses() throws {
        let config = try Config.parse(
            Self.head + """
                url = "https://gw/x"
                low_speed_limit = 10
                low_speed_time = "3s"
                tls.ca_file = "/etc/gw-ca.pem"
                auth.type = "digest"
                auth.username = "reader"
                auth.secret_file = "gw-password"

                """)
        let poll = try #require(config.meters.first?.poll)
        #expect(poll.tls.caFile == "/etc/gw-ca.pem" && poll.tls.verify)
        #expect(poll.auth.kind == .digest && poll.auth.username == "reader" && poll.auth.secretFile == "gw-password")
        #expect(poll.lowSpeedBytes == 10 && poll.lowSpeedMilliseconds == 3_000)
    }
}

/// `format`: each one asks for what it needs and refuses what belongs to another.
@Suite struct PayloadFormatConfigTests {
    func problems(_ text: String) -> [String] {
        do {
            _ = try Config.parse(PollSecurityConfigTests.head + "url = \"http://gw/x\"\n" + text)
            return []
        } catch { return error.problems.map { "\($0.key): \($0.message)" } }
    }

    @Test func mistakesAreNamed() {
        // The head declares json.value: a profile or prometheus meter must not.
        #expect(problems("format = \"tasmota\"\n") == [#"meter[1].json: only applies to format "json""#])
        #expect(
            Set(problems("format = \"shelly-gen2-switch\"\nchannel = 1\n")) == [
                #"meter[1].json: only applies to format "json""#,
                "meter[1].channel: only applies to a gateway profile with channels",
            ])
        #expect(
            problems("format = \"prometheus\"\n").contains(
                #"meter[1].prometheus: format "prometheus" needs prometheus.metric (the metric name)"#))
    }

    @Test func aPrometheusSelectorIsReadOrItsMistakeNamed() throws {
        let text =
            PollSecurityConfigTests.head.replacingOccurrences(of: "json.value = \"v\"\n", with: "")
            + "url = \"http://gw/metrics\"\nformat = \"prometheus\"\n"
        let poll = try #require(
            try Config.parse(text + #"prometheus.selector = 'e_total{ch="1", job=~"gw-.*"}'"# + "\n").meters.first?.poll
        )
        #expect(poll.payload.prometheus?.metric == "e_total")
        #expect(poll.payload.prometheus?.matchers.map(\.description) == [#"ch="1""#, #"job=~"gw-.*""#])
        func problems(_ lines: String) -> [String] {
            do {
                _ = try Config.parse(text + lines)
                return []
            } catch { return error.problems.map { "\($0.key): \($0.message)" } }
        }
        #expect(
            problems(#"prometheus.selector = 'e_total{job=~"gw-("}'"# + "\n")
                == [
                    #"meter[1].prometheus.selector: e_total{job=~"gw-("}: label job: "gw-(" is not a valid regular expression"#
                ])
        #expect(
            problems("prometheus.selector = 'e_total'\nprometheus.metric = 'e_total'\n")
                == [
                    "meter[1].prometheus.selector: give prometheus.selector, or prometheus.metric and prometheus.labels, not both"
                ])
    }

    @Test func aProfileSetsTheMapping() throws {
        let text =
            PollSecurityConfigTests.head.replacingOccurrences(of: "json.value = \"v\"\n", with: "")
            + "url = \"http://gw/status\"\nformat = \"shelly-gen1\"\nchannel = 2\n"
        let poll = try #require(try Config.parse(text).meters.first?.poll)
        #expect(poll.format == "shelly-gen1" && poll.payload == .gateway(ShellyGen1Profile(channel: 2)))
    }
}
