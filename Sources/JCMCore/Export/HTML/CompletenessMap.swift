/// Meters × days, each cell the worst thing that happened to the meter that day: held step,
/// calibration lapse, missing intervals, late reading, or nothing (counted), or no data at all.
public struct CompletenessMap: Sendable {
    public enum State: Int, Sendable, Comparable, CaseIterable {
        case noData = 0
        case counted, late, missing, lapsed, held

        public static func < (a: State, b: State) -> Bool { a.rawValue < b.rawValue }

        var name: String {
            switch self {
            case .noData: return "no data"
            case .counted: return "counted"
            case .late: return "late"
            case .missing: return "missing intervals"
            case .lapsed: return "calibration lapsed"
            case .held: return "held"
            }
        }

        var cssClass: String {
            switch self {
            case .noData: return "s-none"
            case .counted: return "s-ok"
            case .late: return "s-late"
            case .missing: return "s-missing"
            case .lapsed: return "s-lapsed"
            case .held: return "s-held"
            }
        }
    }

    public let firstDay: Int64
    public let days: Int
    public private(set) var meters: [String] = []
    private var cells: [[State]] = []
    private var index: [String: Int] = [:]

    /// Days are UTC days from the period's start to its end.
    public init(starts: Timestamp, ends: Timestamp) {
        firstDay = starts.microseconds.floorDiv(86_400_000_000)
        days = max(1, Int((ends.microseconds - 1).floorDiv(86_400_000_000) - firstDay + 1))
    }

    public mutating func addMeter(_ meter: String) {
        guard index[meter] == nil else { return }
        index[meter] = meters.count
        meters.append(meter)
        cells.append([State](repeating: .noData, count: days))
    }

    public mutating func mark(_ meter: String, at t: Timestamp, _ state: State) {
        addMeter(meter)
        let day = Int(t.microseconds.floorDiv(86_400_000_000) - firstDay)
        guard let m = index[meter], (0..<days).contains(day) else { return }
        cells[m][day] = max(cells[m][day], state)
    }

    /// Every day a gap (from, to] touches.
    public mutating func markGap(_ meter: String, from: Timestamp, to: Timestamp) {
        var t = from.microseconds.floorDiv(86_400_000_000) * 86_400_000_000
        while t < to.microseconds {
            mark(meter, at: Timestamp(microseconds: max(t, from.microseconds + 1)), .missing)
            t += 86_400_000_000
        }
    }

    public func state(_ meter: String, day: Int) -> State? { index[meter].map { cells[$0][day] } }

    func svg() -> String {
        let cell = 14.0
        let left = 150.0
        let width = max(left + Double(days) * cell + 10, left + 90)
        let height = 30 + Double(meters.count) * cell
        var s =
            #"<svg class="heatmap" role="img" viewBox="0 0 \#(ChartGeometry.px(width)) \#(ChartGeometry.px(height))" width="\#(ChartGeometry.px(width))" height="\#(ChartGeometry.px(height))" xmlns="http://www.w3.org/2000/svg"><title>Completeness: meters × days</title>"#
        for d in stride(from: 0, to: days, by: 7) {
            let date = Timestamp(microseconds: (firstDay + Int64(d)) * 86_400_000_000).formatted(fractionDigits: 0)
            s +=
                #"<text x="\#(ChartGeometry.px(left + Double(d) * cell))" y="16" class="label-left">\#(date.prefix(10))</text>"#
        }
        for (m, meter) in meters.enumerated() {
            let y = 24 + Double(m) * cell
            s +=
                ##"<a href="#\##(HTMLText.anchor("meter", meter))"><text x="\##(ChartGeometry.px(left - 6))" y="\##(ChartGeometry.px(y + cell - 3))" class="label-right">\##(HTMLText.escape(String(meter.prefix(24))))</text></a>"##
            for d in 0..<days {
                let state = cells[m][d]
                s +=
                    #"<rect class="\#(state.cssClass)" x="\#(ChartGeometry.px(left + Double(d) * cell))" y="\#(ChartGeometry.px(y))" width="\#(ChartGeometry.px(cell - 1))" height="\#(ChartGeometry.px(cell - 1))"><title>\#(HTMLText.escape(meter)) day \#(d + 1): \#(state.name)</title></rect>"#
            }
        }
        return s + "</svg>"
    }

    static func legend() -> String {
        #"<p class="legend">"#
            + State.allCases.map { #"<span class="key \#($0.cssClass)"></span>\#($0.name)"# }.joined(separator: " ")
            + "</p>"
    }
}
