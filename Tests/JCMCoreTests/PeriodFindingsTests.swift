import JCMCore
import Testing

@Suite struct PeriodFindingsTests {
    @Test func aCleanPeriodExitsZeroWithoutWarnings() {
        let f = PeriodFindings.judge(
            meters: [.init(meter: "PV", parameter: "EG_p", readings: 30, counted: 29)],
            measuredParameters: ["EG_p"], arrivedAfterFreeze: 0)
        #expect(f.warnings.isEmpty)
        #expect(f.exitStatus == 0)
    }

    @Test func heldExcludedAndLateReadingsExitThree() {
        for counts in [
            PeriodFindings.MeterCounts(meter: "PV", parameter: "EG_p", readings: 30, counted: 28, held: 1),
            .init(meter: "PV", parameter: "EG_p", readings: 30, counted: 29, excluded: 2),
            .init(meter: "PV", parameter: "EG_p", readings: 30, counted: 29, late: 30),
        ] {
            let f = PeriodFindings.judge(meters: [counts], measuredParameters: ["EG_p"], arrivedAfterFreeze: 0)
            #expect(f.exitStatus == 3)
            #expect(f.warnings.count == 1)
        }
        #expect(PeriodFindings.judge(meters: [], measuredParameters: [], arrivedAfterFreeze: 1).exitStatus == 3)
        // A lapse is corrected conservatively: said, not a doubt about the data.
        let lapsed = PeriodFindings.judge(
            meters: [.init(meter: "PV", parameter: "EG_p", readings: 30, counted: 29, lapsed: 4)],
            measuredParameters: ["EG_p"], arrivedAfterFreeze: 0)
        #expect(lapsed.exitStatus == 0)
        #expect(lapsed.warnings == ["meter PV: 4 intervals outside calibration, deducted conservatively"])
    }

    /// A parameter whose meters counted nothing while the period has readings is a zero that
    /// measures nothing: exit 4, which outranks 3.
    @Test func aMeasuredParameterWithNoCountedReadingExitsFour() {
        let f = PeriodFindings.judge(
            meters: [
                .init(meter: "PV", parameter: "EG_p", readings: 30, counted: 29),
                .init(meter: "FUEL", parameter: "FC_p", readings: 1, counted: 0, held: 1),
            ],
            measuredParameters: ["EG_p", "FC_p"], arrivedAfterFreeze: 0)
        #expect(f.exitStatus == 4)
        #expect(f.warnings.last == "parameter FC_p: no counted reading in the period, although the period has readings")
        // No readings at all in the period: nothing to say about a single parameter.
        #expect(
            PeriodFindings.judge(
                meters: [.init(meter: "PV", parameter: "EG_p", readings: 0, counted: 0)],
                measuredParameters: ["EG_p"], arrivedAfterFreeze: 0
            ).exitStatus == 0)
    }
}

@Suite struct SpreadsheetTextTests {
    @Test(arguments: ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
    func formulaLikeTextIsNeutralised(_ s: String) {
        #expect(SpreadsheetText.neutralised(s) == "'" + s)
    }

    @Test func numbersAndPlainTextAreLeftAlone() {
        #expect(SpreadsheetText.csvField(.decimal(ExactDecimal(parsing: "-0.05")!)) == "-0.05")
        #expect(SpreadsheetText.csvField(.text("PV-1")) == "PV-1")
        #expect(SpreadsheetText.csvField(.text("-PV")) == "'-PV")
        #expect(SpreadsheetText.csvField(.text("=1,2")) == "\"'=1,2\"")
        #expect(SpreadsheetText.csvField(.text("say \"hi\"")) == "\"say \"\"hi\"\"\"")
    }
}
