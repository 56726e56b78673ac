import Foundation
import Testing

@testable import JCMCore

/// The SpreadsheetML the Monitoring Report Sheet is written in: cells, formulas, dates, and the
/// sheets' layout, without writing a file.
@Suite struct MonitoringReportSheetTests {
    @Test func cellsAreTypedAndTextIsInert() {
        #expect(
            XLSXCell.text("=HYPERLINK(\"x\")").xml("A1").contains(
                "<t xml:space=\"preserve\">'=HYPERLINK(&quot;x&quot;)</t>"))
        #expect(
            XLSXCell.text("a<b&c").xml() == "<c t=\"inlineStr\"><is><t xml:space=\"preserve\">a&lt;b&amp;c</t></is></c>"
        )
        #expect(XLSXCell.number(ExactDecimal(parsing: "-1.50")!).xml("B2") == "<c r=\"B2\" s=\"6\"><v>-1.50</v></c>")
        #expect(XLSXCell.text("bell\u{7}").xml().contains("bell\u{FFFD}"))
        #expect(
            XLSXCell.formula("C4+D4", cached: ExactDecimal(parsing: "1118.5")!, decimals: 1).xml("E4")
                == "<c r=\"E4\" s=\"5\"><f>C4+D4</f><v>1118.5</v></c>")
        #expect(
            XLSXCell.row([.integer(1), .empty, .boolean(true)])
                == "<row><c s=\"4\"><v>1</v></c><c/><c t=\"b\"><v>1</v></c></row>")
        #expect(["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"] == [0, 25, 26, 51, 52, 701, 702].map(XLSXCell.column))
    }

    /// The escape looks at UTF-8 bytes: a character beyond ASCII is kept whole, never mistaken for
    /// markup or a control character.
    @Test func markupAndControlCharactersAreEscapedAndOtherTextKept() {
        #expect(XLSXCell.escaped("Solar Co — 日本 é") == "Solar Co — 日本 é")
        #expect(XLSXCell.escaped("a<b>&\"c\"") == "a&lt;b&gt;&amp;&quot;c&quot;")
        #expect(XLSXCell.escaped("x\u{1}y\tz\n") == "x\u{FFFD}y\tz\n")
        #expect(XLSXCell.escaped("é\u{7}") == "é\u{FFFD}")
    }

    @Test func datesAreExcelSerials() throws {
        #expect(XLSXCell.serial(Timestamp(microseconds: 0)) == "25569")
        let t = try #require(XLSXCell.utcInstant("2026-10-01T06:00:00Z"))
        #expect(t == (try TimestampParser().parse("2026-10-01T06:00:00Z")))
        #expect(XLSXCell.serial(t) == "46296.25")
        #expect(XLSXCell.utcInstant("2026-10-01T06:00:00.25Z")?.microseconds == t.microseconds + 250_000)
        #expect(XLSXCell.utcInstant("1969-12-31T23:59:59Z")?.microseconds == -1_000_000)
        #expect(XLSXCell.utcInstant("2024-02-29T00:00:00Z") == (try TimestampParser().parse("2024-02-29T00:00:00Z")))
        for bad in ["2026-10-01T06:00:00", "2026-10-01T06:00:00+01:00", "2026-13-01T00:00:00Z", "x"] {
            #expect(XLSXCell.utcInstant(bad) == nil, "\(bad)")
        }
    }

    @Test func equationsBecomeFormulas() throws {
        let e = try ExpressionParser.parse("EC_PJ * (COP_PJ / COP_RE) * EF_elec - max(0, -x) + 1.50")
        let names = ["EC_PJ": "$E$4", "COP_PJ": "$E$5", "COP_RE": "$E$6", "EF_elec": "$E$7", "x": "$C$9"]
        #expect(
            ExcelFormula.formula(e, names: names)
                == "(((($E$4*($E$5/$E$6))*$E$7)-MAX(0,(-$C$9)))+1.5)")
        #expect(ExcelFormula.formula(e, names: [:]) == nil)
        #expect(
            ExcelFormula.rounding(.init(mode: .down, scale: 0), of: "C9") == "IF(C9>=0,ROUNDDOWN(C9,0),ROUNDUP(C9,0))")
    }

    @Test func theSheetsOfAWorkedPeriod() throws {
        let m = try Methodology.parse(try ShippedMethodology.text("pv-grid.toml"), file: "pv-grid.toml")
        let d = { (s: String) in ExactDecimal(parsing: s)! }
        let result = try PeriodCalculation.calculate(
            m, values: ["EF_grid": d("0.7")],
            meters: [
                "EG_p": [
                    MeterPeriodInput(
                        meter: "PV-2", kind: .cumulative, measured: d("600"),
                        lapses: [.init(amount: d("300"), errorPercent: d("0.5"))], missingIntervals: 0,
                        largestInterval: nil, held: 0, creditedByRule: 0)
                ]
            ])
        let accounts = [
            Config.AllocationAccount(holder: .partnerGovernment, name: "Gov", share: CreditShare(parsing: "1/3")!),
            Config.AllocationAccount(holder: .participant, name: "Co", share: CreditShare(parsing: "2/3")!),
        ]
        let sheets = MonitoringReportSheets(
            project: "P", projectName: nil, period: "MR-1", starts: Timestamp(microseconds: 0),
            ends: Timestamp(microseconds: 3_600_000_000), methodology: m, result: result,
            monitored: [
                .init(
                    parameter: "EG_p", meter: "PV-2", texts: Config.SheetTexts(point: "2"), value: d("600"),
                    unit: "MWh", option: .c)
            ],
            sources: ["EF_grid": "IGES"], blocks: [], about: [("project", .text("P"))],
            allocation: CreditAllocation.allocate(418, to: accounts)!, credits: 418
        ).sheets()
        #expect(sheets.map(\.name) == ["MRS(input)", "MRS(calc_process)", "Corrections", "Issuance request", "About"])
        let input = sheets[0].xml
        #expect(input.contains("(k) Other comments"))
        #expect(input.contains("<c r=\"E7\" s=\"4\"><v>600</v></c>"), "Table 1's value, a number")
        let calc = sheets[1].xml
        // EG_p = SUM of its Table 1 cells + its correction amounts; RE = EG × EF; ER rounded down.
        #expect(calc.contains("<f>SUM('MRS(input)'!$E$7)</f><v>600</v>"))
        #expect(calc.contains("<f>SUM('Corrections'!$F$5)</f><v>-1.5</v>"))
        #expect(calc.contains("<f>($E$4*$E$5)</f><v>418.95</v>"), "\(calc)")
        #expect(calc.contains("ROUNDDOWN(") && calc.contains("<v>418</v>"))
        #expect(sheets[2].xml.contains("<f>-(D5*E5/100)</f><v>-1.5</v>"))
        // 418 × (1/3, 2/3) = 139.33, 278.67: the credit left goes to the larger fraction.
        #expect(sheets[3].xml.contains("<v>139</v>") && sheets[3].xml.contains("<v>279</v>"))
        #expect(sheets[3].xml.contains("<f>SUM(H8:H9)</f><v>418</v>"))
    }
}
