import Testing

@testable import JCMCore

@Suite("HTML report pieces")
struct HTMLReportPieceTests {
    func t(_ s: String) -> Timestamp { try! TimestampParser().parse(s) }

    @Test func textFromOutsideIsEscapedAndAnchorsAreUnique() {
        #expect(HTMLText.escape(#"<script>"a"&'b'"#) == "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;")
        #expect(HTMLText.anchor("meter", "PV-1") == "meter-PV-1")
        #expect(HTMLText.anchor("meter", "PV 1") != HTMLText.anchor("meter", "PV_1"))
        #expect(HTMLText.anchor("meter", "a\"><b") == "meter-a_22_3E_3Cb")
    }

    @Test func aMeterSeriesStaysBoundedWhateverItsReadings() {
        var s = MeterSeries(
            meter: "PV-1", unit: "kWh", starts: t("2026-10-01T00:00:00Z"), ends: t("2026-11-01T00:00:00Z"), buckets: 100
        )
        let start = t("2026-10-01T00:00:00Z").microseconds
        for i in 1...20_000 {
            let to = Timestamp(microseconds: start + Int64(i) * 133_000_000)
            let from = Timestamp(microseconds: to.microseconds - 133_000_000)
            s.add(
                from: from, to: to, step: i == 500 ? "reset" : i % 1000 == 0 ? "held" : "counted",
                delta: ExactDecimal(parsing: "1"), share: ExactDecimal(parsing: "1"), lapsed: (3000..<3100).contains(i))
        }
        let svg = s.svg()
        let points = svg.split(separator: "points=\"").last?.prefix { $0 != "\"" }.split(separator: " ").count ?? 0
        #expect(points <= 101, "one point per bucket (and the origin): \(points)")
        #expect(s.readings == 20_000)
        #expect(s.events.filter { $0.mark == .lapse }.count == 1, "consecutive lapsed intervals are one span")
        #expect(s.events.filter { $0.mark == .held }.count == 20)
        #expect(s.events.contains { $0.mark == .reset })
        #expect(svg.contains(#"class="m-lapse""#) && svg.contains(#"class="m-held""#))
    }

    @Test func theWorstOfADayColoursItsCell() {
        var map = CompletenessMap(starts: t("2026-10-01T00:00:00Z"), ends: t("2026-10-04T00:00:00Z"))
        #expect(map.days == 3)
        map.addMeter("M")
        map.mark("M", at: t("2026-10-01T01:00:00Z"), .counted)
        map.mark("M", at: t("2026-10-01T02:00:00Z"), .held)
        map.mark("M", at: t("2026-10-01T03:00:00Z"), .lapsed)
        map.markGap("M", from: t("2026-10-02T23:00:00Z"), to: t("2026-10-03T01:00:00Z"))
        #expect(map.state("M", day: 0) == .held)
        #expect(map.state("M", day: 1) == .missing)
        #expect(map.state("M", day: 2) == .missing)
        map.mark("M", at: t("2026-10-05T00:00:00Z"), .held)  // outside the period: ignored
        #expect(map.svg().components(separatedBy: "<rect").count == 4)
    }

    @Test func theResultWaterfallTakesPEFromRE() {
        func d(_ s: String) -> ExactDecimal { ExactDecimal(parsing: s)! }
        let result = PeriodResult(
            methodology: "M", methodologyVersion: "1", methodologyFile: "m.toml", parameters: [], corrections: [],
            equations: [
                .init(equation: "RE_p", expression: "EG_p * EF_grid", unit: "tCO2e", value: d("782.95"), exact: true),
                .init(equation: "PE_p", expression: "0", unit: "tCO2e", value: d("10.5"), exact: true),
                .init(equation: "ER_p", expression: "RE_p - PE_p", unit: "tCO2e", value: d("772.45"), exact: true),
            ],
            result: "ER_p", unrounded: d("772.45"), rounded: d("772"),
            rounding: Methodology.Rounding(mode: .down, scale: 0), exact: true, notes: [])
        let w = Waterfall.result(result)
        #expect(w.bars.map(\.label) == ["RE_p", "PE_p", "ER_p unrounded", "rounding (down, 0 dp)", "ER_p"])
        #expect(w.bars.map(\.value) == [d("782.95"), d("-10.5"), d("772.45"), d("-0.45"), d("772")])
        #expect(w.bars.map(\.isTotal) == [false, false, true, false, true])
        let svg = WaterfallSVG.svg(w)
        #expect(svg.contains(#"class="down""#) && svg.contains(#"class="up""#) && svg.contains(">772<"))
    }
}
