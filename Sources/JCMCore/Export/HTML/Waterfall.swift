import Foundation

/// The result as a waterfall: bars that add to or take from a running total, and totals that
/// stand on the axis (measured EG → corrections → adjusted; RE → PE → ER → rounding).
public struct Waterfall: Sendable, Equatable {
    public struct Bar: Sendable, Equatable {
        public var label: String
        /// What the bar adds (a step) or the level it shows (a total), exactly.
        public var value: ExactDecimal
        public var isTotal: Bool
        /// Where the number traces to (an anchor in the page).
        public var link: String?

        public init(_ label: String, _ value: ExactDecimal, total: Bool = false, link: String? = nil) {
            self.label = label
            self.value = value
            self.isTotal = total
            self.link = link
        }
    }

    public var title: String
    public var unit: String
    public var bars: [Bar]

    public init(title: String, unit: String, bars: [Bar]) {
        self.title = title
        self.unit = unit
        self.bars = bars
    }

    /// Each measured parameter: its measured total, each correction, the adjusted total.
    public static func parameters(_ result: PeriodResult) -> [Waterfall] {
        result.parameters.filter { $0.option != .a }.map { p in
            var bars = [
                Bar("measured \(p.parameter)", p.measured, total: true, link: HTMLText.anchor("param", p.parameter))
            ]
            for c in result.corrections where c.parameter == p.parameter {
                bars.append(Bar("\(c.reason.rawValue) \(c.meter)", c.amount, link: HTMLText.anchor("meter", c.meter)))
            }
            bars.append(
                Bar("adjusted \(p.parameter)", p.adjusted, total: true, link: HTMLText.anchor("param", p.parameter)))
            return Waterfall(title: "\(p.parameter): measured → corrections → adjusted", unit: p.unit, bars: bars)
        }
    }

    /// The result equation: when it is a difference of two equations (RE − PE), the first adds
    /// and the second takes away; then the unrounded result, the rounding, and the result.
    public static func result(_ result: PeriodResult) -> Waterfall {
        let equations = Dictionary(result.equations.map { ($0.equation, $0) }, uniquingKeysWith: { a, _ in a })
        let link = "equations"
        var bars: [Bar] = []
        let parts = result.equations.first { $0.equation == result.result }?.expression
            .split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        if let parts, parts.count == 2, let a = equations[parts[0]], let b = equations[parts[1]] {
            bars.append(Bar(a.equation, a.value, link: link))
            bars.append(Bar(b.equation, ExactDecimal.zero.subtracting(b.value)?.value ?? b.value, link: link))
        }
        bars.append(Bar("\(result.result) unrounded", result.unrounded, total: true, link: link))
        let rounding = result.rounded.subtracting(result.unrounded)?.value ?? .zero
        bars.append(
            Bar("rounding (\(result.rounding.mode.rawValue), \(result.rounding.scale) dp)", rounding, link: link))
        bars.append(Bar(result.result, result.rounded, total: true, link: link))
        let unit = result.equations.first { $0.equation == result.result }?.unit ?? "tCO2e"
        return Waterfall(title: "\(result.result): the result and its rounding", unit: unit, bars: bars)
    }
}
