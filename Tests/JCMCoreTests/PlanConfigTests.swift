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
        #expect(got == [
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
