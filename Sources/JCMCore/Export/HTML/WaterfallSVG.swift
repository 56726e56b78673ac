/// A waterfall as inline SVG: steps float from the running total, totals stand on zero. Green
/// adds, red takes away, blue is a level; each bar's exact value is printed above it and links
/// to where it comes from.
enum WaterfallSVG {
    static func svg(_ w: Waterfall) -> String {
        let barWidth = 90.0
        let gap = 24.0
        let width = Double(w.bars.count) * (barWidth + gap) + gap
        let (top, bottom) = (34.0, 230.0)
        var running = 0.0
        var spans: [(Double, Double)] = []
        for bar in w.bars {
            let v = ChartGeometry.plot(bar.value)
            if bar.isTotal {
                spans.append((0, v))
                running = v
            } else {
                spans.append((running, running + v))
                running += v
            }
        }
        let scale = ChartGeometry.Scale(values: spans.flatMap { [$0.0, $0.1] }, top: top, bottom: bottom)
        var s =
            #"<svg class="waterfall" role="img" viewBox="0 0 \#(ChartGeometry.px(width)) 290" width="\#(ChartGeometry.px(width))" height="290" xmlns="http://www.w3.org/2000/svg">"#
        s += "<title>\(HTMLText.escape(w.title))</title>"
        let zero = scale.y(0)
        s +=
            #"<line x1="0" x2="\#(ChartGeometry.px(width))" y1="\#(ChartGeometry.px(zero))" y2="\#(ChartGeometry.px(zero))" class="axis"/>"#
        for (i, bar) in w.bars.enumerated() {
            let x = gap + Double(i) * (barWidth + gap)
            let (a, b) = spans[i]
            let (y0, y1) = (scale.y(max(a, b)), scale.y(min(a, b)))
            let kind = bar.isTotal ? "total" : bar.value < .zero ? "down" : "up"
            var rect =
                #"<rect class="\#(kind)" x="\#(ChartGeometry.px(x))" y="\#(ChartGeometry.px(y0))" width="\#(ChartGeometry.px(barWidth))" height="\#(ChartGeometry.px(max(1, y1 - y0)))"><title>\#(HTMLText.escape(bar.label)): \#(bar.value)</title></rect>"#
            rect +=
                #"<text x="\#(ChartGeometry.px(x + barWidth / 2))" y="\#(ChartGeometry.px(y0 - 6))" class="value">\#(HTMLText.escape(bar.value.description))</text>"#
            if let link = bar.link { rect = ##"<a href="#\##(link)">\##(rect)</a>"## }
            s += rect
            s +=
                #"<text x="\#(ChartGeometry.px(x + barWidth / 2))" y="252" class="label">\#(HTMLText.escape(String(bar.label.prefix(22))))</text>"#
        }
        s += #"<text x="4" y="282" class="unit">\#(HTMLText.escape(w.unit))</text></svg>"#
        return s
    }
}
