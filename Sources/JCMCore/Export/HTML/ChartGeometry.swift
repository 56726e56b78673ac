/// Numbers placed on a chart. Positions are Doubles (a pixel is not a credit); every number
/// printed beside them is the exact decimal.
enum ChartGeometry {
    static func plot(_ d: ExactDecimal) -> Double { Double(d.description) ?? 0 }

    /// "12.5" rather than "12.500000000000002": coordinates to a tenth of a pixel.
    static func px(_ x: Double) -> String {
        let r = (x * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    /// A scale from [lo, hi] (widened to include 0) onto [top, bottom] of a chart.
    struct Scale {
        var lo: Double
        var hi: Double
        var top: Double
        var bottom: Double

        init(values: [Double], top: Double, bottom: Double) {
            lo = min(0, values.min() ?? 0)
            hi = max(0, values.max() ?? 0)
            if hi == lo { hi = lo + 1 }
            self.top = top
            self.bottom = bottom
        }

        func y(_ v: Double) -> Double { bottom - (v - lo) / (hi - lo) * (bottom - top) }
    }
}
