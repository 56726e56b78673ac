import Testing

@testable import JCMCore

/// Worked periods for the shipped methodologies, every number computed by hand in the comments.
@Suite struct MethodologyCalculationTests {
    func d(_ text: String) -> ExactDecimal { ExactDecimal(parsing: text)! }

    @Test func pvGridWithALapseABridgedCounterAndAnExcludedGap() throws {
        let pv = try ShippedMethodology.load("pv-grid.toml")
        let r = try PeriodCalculation.calculate(
            pv, values: ["EF_grid": d("0.533")],
            meters: [
                "EG_p": [
                    // 200 MWh past calibration at MPE 0.5 %: 200 × 0.5 / 100 = 1 MWh deducted.
                    MeterPeriodInput(
                        meter: "PV-M1", kind: .cumulative, measured: d("1234.5678"), lapsed: d("200"),
                        maxPermissibleErrorPercent: d("0.5"), missingIntervals: 3),
                    // An interval meter missing 4 intervals of a raising parameter: nothing filled.
                    MeterPeriodInput(
                        meter: "PV-M2", kind: .interval, measured: d("100.25"), missingIntervals: 4,
                        largestInterval: d("0.5")),
                ]
            ])
        // EG_p = 1234.5678 + 100.25 = 1334.8178; adjusted 1334.8178 − 1 = 1333.8178
        #expect(
            r.parameters.map { "\($0.parameter) \($0.measured) \($0.corrections) \($0.adjusted)" } == [
                "EG_p 1334.8178 -1 1333.8178", "EF_grid 0.533 0 0.533",
            ])
        #expect(r.corrections.count == 1)
        #expect(r.corrections.first?.reason == .calibrationLapse && r.corrections.first?.meter == "PV-M1")
        #expect(
            r.corrections.first?.amount == d("-1") && r.corrections.first?.basis == d("200")
                && r.corrections.first?.factor == d("0.5"))
        // RE_p = 1333.8178 × 0.533 = 710.9248874 (1333.8178 × 533 = 710924.8874); PE_p = 0.
        #expect(r.equations.map { "\($0.equation)=\($0.value)" } == ["RE_p=710.9248874", "PE_p=0", "ER_p=710.9248874"])
        #expect(r.unrounded == d("710.9248874") && r.rounded.description == "710")
        #expect(r.exact)
        #expect(
            r.notes.map { "\($0.kind.rawValue) \($0.meter) \($0.intervals.map(String.init) ?? "-")" } == [
                "correction PV-M1 -", "bridged PV-M1 3", "excluded PV-M2 4",
            ])
        #expect(r.notes[1].text.contains("bridged by the counter"))
    }

    @Test func chillerWithProjectEmissions() throws {
        let chiller = try ShippedMethodology.load("chiller.toml")
        let r = try PeriodCalculation.calculate(
            chiller, values: ["COP_PJ": d("6.3"), "COP_RE": d("4.2"), "EF_elec": d("0.7")],
            meters: [
                "EC_PJ": [
                    MeterPeriodInput(
                        meter: "CH-1", kind: .interval, measured: d("850"), lapsed: d("120"),
                        maxPermissibleErrorPercent: d("1"), missingIntervals: 2, largestInterval: d("0.4"))
                ]
            ])
        // EC_PJ: 850 − 120 × 1 % = 848.8 (raises: deducted; its 2 missing intervals excluded)
        // RE_p = 848.8 × (6.3 / 4.2) × 0.7 = 848.8 × 1.5 × 0.7 = 891.24
        // PE_p = 848.8 × 0.7 = 594.16 ; ER_p = 297.08 = 848.8 × 0.7 × 0.5 → 297
        #expect(r.parameters.first?.adjusted == d("848.8"))
        #expect(r.corrections.map(\.amount) == [d("-1.2")])
        #expect(
            r.equations.map { "\($0.equation)=\($0.value.normalized)" } == [
                "RE_p=891.24", "PE_p=594.16", "ER_p=297.08",
            ])
        #expect(r.rounded == d("297") && r.exact)
        #expect(r.notes.map(\.kind) == [.correction, .excluded])
    }

    @Test func chillerWithARepeatingRatioIsMarkedInexact() throws {
        let chiller = try ShippedMethodology.load("chiller.toml")
        let r = try PeriodCalculation.calculate(
            chiller, values: ["COP_PJ": d("6.1"), "COP_RE": d("4.2"), "EF_elec": d("0.5")],
            meters: ["EC_PJ": [MeterPeriodInput(meter: "CH-1", kind: .cumulative, measured: d("1000"))]])
        // 6.1 / 4.2 = 1.45238095238095238095… cut at 20 digits; × 1000 × 0.5 = 726.190476190476190475
        #expect(r.equations[0].value == d("726.190476190476190475") && !r.equations[0].exact)
        #expect(r.equations[1].value == d("500") && r.equations[1].exact)
        #expect(r.unrounded == d("226.190476190476190475") && r.rounded == d("226"))
        #expect(!r.exact)
    }

    @Test func aNegativeReductionRoundsDownToTheLargerLoss() throws {
        let chiller = try ShippedMethodology.load("chiller.toml")
        let r = try PeriodCalculation.calculate(
            chiller, values: ["COP_PJ": d("4"), "COP_RE": d("5"), "EF_elec": d("1")],
            meters: ["EC_PJ": [MeterPeriodInput(meter: "CH-1", kind: .cumulative, measured: d("10.5"))]])
        // RE_p = 10.5 × 0.8 = 8.4 ; PE_p = 10.5 ; ER_p = −2.1 → −3 (toward −∞)
        #expect(r.unrounded == d("-2.1") && r.rounded == d("-3"))
    }

    /// A measured parameter that lowers reductions: fuel of a backup generator.
    static let pvDiesel = """
        id = "PV_DIESEL"
        title = "PV with a metered diesel backup"
        version = "1"
        [[parameter]]
        id = "EG_p"
        unit = "MWh"
        option = "C"
        effect = "raises"
        [[parameter]]
        id = "FC_p"
        unit = "kL"
        option = "C"
        effect = "lowers"
        [[parameter]]
        id = "EF_grid"
        unit = "tCO2/MWh"
        option = "A"
        effect = "raises"
        [[parameter]]
        id = "EF_fuel"
        unit = "tCO2/kL"
        option = "A"
        effect = "lowers"
        [[equation]]
        id = "RE_p"
        expression = "EG_p * EF_grid"
        [[equation]]
        id = "PE_p"
        expression = "FC_p * EF_fuel"
        [[equation]]
        id = "ER_p"
        expression = "RE_p - PE_p"
        """

    @Test func gapsOfALoweringParameterAreDefaultedAndItsLapseAdded() throws {
        let m = try Methodology.parse(Self.pvDiesel, file: "pv-diesel.toml")
        let r = try PeriodCalculation.calculate(
            m, values: ["EF_grid": d("0.6"), "EF_fuel": d("2.7")],
            meters: [
                "EG_p": [
                    MeterPeriodInput(
                        meter: "PV", kind: .interval, measured: d("50"), missingIntervals: 5, largestInterval: d("0.9"))
                ],
                "FC_p": [
                    MeterPeriodInput(
                        meter: "GEN", kind: .interval, measured: d("2.5"), lapsed: d("1"),
                        maxPermissibleErrorPercent: d("2"), missingIntervals: 3, largestInterval: d("0.125"))
                ],
            ])
        // FC_p: 2.5 + 1 × 2 % (added: lowers) + 3 × 0.125 (defaulted) = 2.5 + 0.02 + 0.375 = 2.895
        #expect(
            r.corrections.map { "\($0.meter) \($0.reason.rawValue) \($0.amount)" } == [
                "GEN calibration_lapse 0.02", "GEN gap_default 0.375",
            ])
        #expect(r.parameters[1].adjusted == d("2.895"))
        // EG_p = 50 (5 intervals excluded, not filled with 0.9 each); RE_p = 30
        #expect(r.parameters[0].adjusted == d("50"))
        // PE_p = 2.895 × 2.7 = 7.8165 ; ER_p = 30 − 7.8165 = 22.1835 → 22
        #expect(
            r.equations.map { "\($0.equation)=\($0.value.normalized)" } == ["RE_p=30", "PE_p=7.8165", "ER_p=22.1835"])
        #expect(r.rounded == d("22"))
        #expect(
            r.notes.map { "\($0.kind.rawValue) \($0.meter)" } == ["excluded PV", "correction GEN", "defaulted GEN"])
    }

    @Test func refusesToGuess() throws {
        let m = try Methodology.parse(Self.pvDiesel, file: "pv-diesel.toml")
        let values = ["EF_grid": d("0.6"), "EF_fuel": d("2.7")]
        let eg = MeterPeriodInput(meter: "PV", kind: .cumulative, measured: d("50"))
        func run(_ fc: MeterPeriodInput, values: [String: ExactDecimal] = values) throws(PeriodCalculationError) {
            _ = try PeriodCalculation.calculate(m, values: values, meters: ["EG_p": [eg], "FC_p": [fc]])
        }
        #expect(throws: PeriodCalculationError.lapseWithoutPermissibleError(parameter: "FC_p", meter: "GEN")) {
            try run(MeterPeriodInput(meter: "GEN", kind: .interval, measured: d("2"), lapsed: d("1")))
        }
        #expect(throws: PeriodCalculationError.gapWithoutLargestInterval(parameter: "FC_p", meter: "GEN")) {
            try run(MeterPeriodInput(meter: "GEN", kind: .interval, measured: d("0"), missingIntervals: 96))
        }
        #expect(throws: PeriodCalculationError.notSummable(parameter: "FC_p", meter: "GEN")) {
            try run(MeterPeriodInput(meter: "GEN", kind: .instantaneous, measured: d("2")))
        }
        let fine = MeterPeriodInput(meter: "GEN", kind: .cumulative, measured: d("2"))
        #expect(throws: PeriodCalculationError.missingValue(parameter: "EF_fuel")) {
            try run(fine, values: ["EF_grid": d("0.6")])
        }
        #expect(throws: PeriodCalculationError.unknownParameter("EF_x", expected: "an option A parameter")) {
            try run(fine, values: values.merging(["EF_x": d("1")]) { a, _ in a })
        }
        #expect(throws: PeriodCalculationError.unknownParameter("EG_p", expected: "an option A parameter")) {
            try run(fine, values: values.merging(["EG_p": d("1")]) { a, _ in a })
        }
        #expect(throws: PeriodCalculationError.noMeters(parameter: "FC_p")) {
            _ = try PeriodCalculation.calculate(m, values: values, meters: ["EG_p": [eg]])
        }
        #expect(
            throws: PeriodCalculationError.unknownParameter("EF_grid", expected: "a measured (option B or C) parameter")
        ) {
            _ = try PeriodCalculation.calculate(
                m, values: values, meters: ["EG_p": [eg], "FC_p": [fine], "EF_grid": [eg]])
        }
    }

    @Test func divisionByZeroNamesTheEquation() throws {
        let chiller = try ShippedMethodology.load("chiller.toml")
        #expect(throws: PeriodCalculationError.evaluation(EvaluationError(equation: "RE_p", reason: .divisionByZero))) {
            _ = try PeriodCalculation.calculate(
                chiller, values: ["COP_PJ": d("6"), "COP_RE": d("0"), "EF_elec": d("0.5")],
                meters: ["EC_PJ": [MeterPeriodInput(meter: "CH-1", kind: .cumulative, measured: d("1"))]])
        }
    }

    @Test func linesHaveStableFieldNames() throws {
        let pv = try ShippedMethodology.load("pv-grid.toml")
        let r = try PeriodCalculation.calculate(
            pv, values: ["EF_grid": d("0.5")],
            meters: [
                "EG_p": [
                    MeterPeriodInput(
                        meter: "M", kind: .interval, measured: d("10"), lapsed: d("10"),
                        maxPermissibleErrorPercent: d("0.5"), missingIntervals: 1)
                ]
            ])
        #expect(
            r.fields.map(\.name) == [
                "methodology", "methodology_file", "result", "unrounded", "rounded", "rounding", "rounding_scale",
                "exact",
            ])
        #expect(
            r.parameters[0].fields.map(\.name) == [
                "parameter", "unit", "option", "effect", "meters", "measured", "corrections", "adjusted",
            ])
        #expect(
            r.corrections[0].fields.map { "\($0.name)=\($0.value)" }.prefix(6) == [
                "parameter=EG_p", "meter=M", "reason=calibration_lapse", "basis=10", "factor=0.5", "amount=-0.05",
            ])
        #expect(r.equations[0].fields.map(\.name) == ["equation", "expression", "unit", "value", "exact"])
        #expect(
            r.notes.map { $0.fields.map(\.name) } == [
                ["kind", "parameter", "meter", "intervals", "text"],
                ["kind", "parameter", "meter", "intervals", "text"],
            ])
        // 10 − 0.05 = 9.95 MWh × 0.5 = 4.975 → 4
        #expect(r.rounded == d("4") && r.unrounded == d("4.975"))
    }
}
