/// One meter's counter over the period, drawn from its interval values in time order: the
/// credited amount summed from the period's start, at most `buckets` points whatever the number
/// of readings (memory and page size do not grow with rows), and the events a verifier looks
/// for: gaps, held steps, resets, rollovers, lapses and boundary splits.
public struct MeterSeries: Sendable {
    public enum Mark: String, Sendable, CaseIterable {
        case held, reset, rollover, lapse, split, gap
    }

    public struct Event: Sendable, Equatable {
        public var mark: Mark
        public var from: Timestamp
        public var to: Timestamp
        public var text: String
    }

    public let meter: String
    public let unit: String
    let starts: Int64
    let ends: Int64
    let buckets: Int
    /// The summed amount at the end of each bucket that saw a value (nil: none yet).
    private var levels: [Double?]
    private var total = 0.0
    public private(set) var readings = 0
    public private(set) var events: [Event] = []
    /// Events beyond the first `maxEvents` of each kind are counted, not kept.
    public private(set) var more: [Mark: Int] = [:]
    static let maxEvents = 40

    public init(meter: String, unit: String, starts: Timestamp, ends: Timestamp, buckets: Int = 240) {
        self.meter = meter
        self.unit = unit
        self.starts = starts.microseconds
        self.ends = max(ends.microseconds, starts.microseconds + 1)
        self.buckets = buckets
        self.levels = [Double?](repeating: nil, count: buckets)
    }

    /// One interval value, in time order. `delta` is the whole step, `share` the period's part.
    public mutating func add(
        from: Timestamp?, to: Timestamp, step: String, delta: ExactDecimal?, share: ExactDecimal?, lapsed: Bool
    ) {
        readings += 1
        total += share.map(ChartGeometry.plot) ?? 0
        let b = Int((to.microseconds - starts) * Int64(buckets) / (ends - starts))
        levels[min(max(b, 0), buckets - 1)] = total
        let start = from ?? to
        switch step {
        case "held": note(.held, start, to, "held step: not credited until resolved")
        case "reset": note(.reset, start, to, "reset credited \(share?.description ?? "")")
        case "rollover": note(.rollover, start, to, "rollover credited \(share?.description ?? "")")
        default: break
        }
        if lapsed {
            // Consecutive lapsed intervals are one span.
            if let last = events.lastIndex(where: { $0.mark == .lapse }), events[last].to == start {
                events[last].to = to
            } else {
                note(.lapse, start, to, "calibration lapsed: the whole amount deducted")
            }
        }
        if let delta, let share, delta != share {
            note(.split, start, to, "boundary split: \(share) of \(delta) in this period")
        }
    }

    public mutating func gap(from: Timestamp, to: Timestamp, missing: Int) {
        note(.gap, from, to, "\(missing) missing interval\(missing == 1 ? "" : "s")")
    }

    private mutating func note(_ mark: Mark, _ from: Timestamp, _ to: Timestamp, _ text: String) {
        if events.lazy.filter({ $0.mark == mark }).count >= Self.maxEvents {
            more[mark, default: 0] += 1
        } else {
            events.append(Event(mark: mark, from: from, to: to, text: text))
        }
    }

    func svg(width: Double = 720, height: Double = 180) -> String {
        let (left, right, top, bottom) = (64.0, width - 10, 12.0, height - 24)
        var points: [(Double, Double)] = []
        for (i, level) in levels.enumerated() {
            guard let level else { continue }
            points.append((Double(i + 1) / Double(buckets), level))
        }
        let scale = ChartGeometry.Scale(values: points.map(\.1), top: top, bottom: bottom)
        func x(_ fraction: Double) -> Double { left + fraction * (right - left) }
        func x(_ t: Timestamp) -> Double {
            x(min(1, max(0, Double(t.microseconds - starts) / Double(ends - starts))))
        }
        var s =
            #"<svg class="chart" data-meter="\#(HTMLText.escape(meter))" role="img" viewBox="0 0 \#(ChartGeometry.px(width)) \#(ChartGeometry.px(height))" width="\#(ChartGeometry.px(width))" height="\#(ChartGeometry.px(height))" xmlns="http://www.w3.org/2000/svg"><title>\#(HTMLText.escape(meter)): credited amount over the period</title>"#
        s +=
            #"<rect class="frame" x="\#(ChartGeometry.px(left))" y="\#(ChartGeometry.px(top))" width="\#(ChartGeometry.px(right - left))" height="\#(ChartGeometry.px(bottom - top))"/>"#
        for e in events where e.mark == .gap || e.mark == .lapse {
            let (a, b) = (x(e.from), x(e.to))
            s +=
                #"<rect class="m-\#(e.mark.rawValue)" x="\#(ChartGeometry.px(a))" y="\#(ChartGeometry.px(top))" width="\#(ChartGeometry.px(max(1.5, b - a)))" height="\#(ChartGeometry.px(bottom - top))"><title>\#(HTMLText.escape(e.text))</title></rect>"#
        }
        if !points.isEmpty {
            let path = points.map { "\(ChartGeometry.px(x($0.0))),\(ChartGeometry.px(scale.y($0.1)))" }
            s +=
                #"<polyline class="series" points="\#(ChartGeometry.px(left)),\#(ChartGeometry.px(scale.y(0))) \#(path.joined(separator: " "))"/>"#
        }
        for e in events where e.mark != .gap && e.mark != .lapse {
            s +=
                #"<circle class="m-\#(e.mark.rawValue)" cx="\#(ChartGeometry.px(x(e.to)))" cy="\#(ChartGeometry.px(top + 6))" r="4"><title>\#(HTMLText.escape(e.text))</title></circle>"#
        }
        let maxLabel = points.map(\.1).max() ?? 0
        s +=
            #"<text x="\#(ChartGeometry.px(left - 4))" y="\#(ChartGeometry.px(scale.y(maxLabel) + 4))" class="label-right">\#(ChartGeometry.px(maxLabel))</text>"#
        s +=
            #"<text x="\#(ChartGeometry.px(left - 4))" y="\#(ChartGeometry.px(scale.y(0)))" class="label-right">0 \#(HTMLText.escape(unit))</text>"#
        return s + "</svg>"
    }
}
