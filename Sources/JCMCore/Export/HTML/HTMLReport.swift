/// `report --format html`: one self-contained page a verifier opens offline. Inline CSS and
/// SVG only, no script and nothing fetched from anywhere; it prints to A4 with each section on
/// its own page.
///
/// The page is written in pieces through `emit`, meter by meter, so its size is bounded by the
/// number of meters and the points per chart, never by the number of readings.
public struct HTMLReport {
    public struct Table {
        public var name: String
        public var columns: [String]
        public var rows: [[FieldValue]]
        /// The first cell of each row is the anchor `id` (a parameter's row, which the waterfall links to).
        public var idPrefix: String?
        /// The first cell of each row links there (a meter's row, to its chart).
        public var linkPrefix: String?

        public init(
            _ name: String, columns: [String], rows: [[FieldValue]], idPrefix: String? = nil, linkPrefix: String? = nil
        ) {
            self.name = name
            self.columns = columns
            self.rows = rows
            self.idPrefix = idPrefix
            self.linkPrefix = linkPrefix
        }
    }

    public var title: String
    public var summary: Fields
    public var waterfalls: [Waterfall]
    public var completeness: CompletenessMap
    public var tables: [Table]
    public var warnings: [String]

    public init(
        title: String, summary: Fields, waterfalls: [Waterfall], completeness: CompletenessMap, tables: [Table],
        warnings: [String]
    ) {
        self.title = title
        self.summary = summary
        self.waterfalls = waterfalls
        self.completeness = completeness
        self.tables = tables
        self.warnings = warnings
    }

    public func write(meters: [MeterSeries], to emit: (String) throws -> Void) throws {
        try emit(
            """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <title>\(HTMLText.escape(title))</title>
            <style>\(Self.css)</style></head><body>
            <header><h1>\(HTMLText.escape(title))</h1></header>

            """)
        try emit(section("result", "Result"))
        if !warnings.isEmpty {
            try emit(
                #"<ul class="warnings">"# + warnings.map { "<li>\(HTMLText.escape($0))</li>" }.joined() + "</ul>\n")
        }
        for w in waterfalls {
            try emit("<figure><figcaption>\(HTMLText.escape(w.title))</figcaption>\(WaterfallSVG.svg(w))</figure>\n")
        }
        try emit(definitionList(summary) + "</section>\n")

        try emit(section("completeness", "Completeness: meters × days (UTC)"))
        try emit(CompletenessMap.legend() + "<figure>" + completeness.svg() + "</figure></section>\n")

        try emit(section("meters", "Meters over the period"))
        try emit(
            #"<p class="legend">"#
                + MeterSeries.Mark.allCases.map { #"<span class="key m-\#($0.rawValue)"></span>\#($0.rawValue)"# }
                .joined(separator: " ") + "</p>\n")
        for m in meters {
            var s =
                #"<article class="meter" id="\#(HTMLText.anchor("meter", m.meter))"><h3>\#(HTMLText.escape(m.meter))</h3>"#
            s += "<p>\(m.readings) interval values; the line is the credited amount summed from the period's start.</p>"
            s += m.svg()
            if !m.events.isEmpty {
                s += "<table><thead><tr><th>event</th><th>from</th><th>to</th><th>what</th></tr></thead><tbody>"
                for e in m.events {
                    s +=
                        "<tr><td class=\"m-\(e.mark.rawValue)-text\">\(e.mark.rawValue)</td><td>\(e.from)</td><td>\(e.to)</td>"
                    s += "<td>\(HTMLText.escape(e.text))</td></tr>"
                }
                s += "</tbody></table>"
            }
            for (mark, n) in m.more.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                s += "<p>… and \(n) more \(mark.rawValue) events (all in the report's csv and xlsx).</p>"
            }
            try emit(s + "</article>\n")
        }
        try emit("</section>\n")

        try emit(section("trace", "Trace: every number and its rows"))
        for t in tables where !t.rows.isEmpty {
            try emit(table(t))
        }
        try emit(
            "<p>Every interval value behind these numbers, with its batch, SHA-256, ledger link and chain hash, is in "
                + "<code>report --format csv</code> (dataset.csv) and the xlsx's Dataset sheet.</p></section>\n")
        try emit("</body></html>\n")
    }

    private func section(_ id: String, _ heading: String) -> String {
        #"<section id="\#(id)"><h2>\#(HTMLText.escape(heading))</h2>"# + "\n"
    }

    private func definitionList(_ fields: Fields) -> String {
        "<dl>"
            + fields.map { "<dt>\(HTMLText.escape($0.name))</dt><dd>\(HTMLText.escape($0.value.description))</dd>" }
            .joined() + "</dl>\n"
    }

    private func table(_ t: Table) -> String {
        var s =
            #"<h3 id="\#(t.name == "equations" ? "equations" : "table-" + t.name)">\#(HTMLText.escape(t.name))</h3><table><thead><tr>"#
        s += t.columns.map { "<th>\(HTMLText.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in t.rows {
            let first = row.first?.description ?? ""
            s += "<tr>"
            for (i, cell) in row.enumerated() {
                let text = HTMLText.escape(cell.description)
                if i == 0, let prefix = t.idPrefix {
                    s += #"<td id="\#(HTMLText.anchor(prefix, first))">\#(text)</td>"#
                } else if i == 0, let prefix = t.linkPrefix {
                    s += ##"<td><a href="#\##(HTMLText.anchor(prefix, first))">\##(text)</a></td>"##
                } else {
                    s += "<td>\(text)</td>"
                }
            }
            s += "</tr>"
        }
        return s + "</tbody></table>\n"
    }

    static let css = """
        @page { size: A4; margin: 12mm; }
        body { font: 13px/1.4 "DejaVu Sans", system-ui, sans-serif; color: #222; margin: 16px; }
        h1 { font-size: 20px; } h2 { font-size: 17px; border-bottom: 2px solid #1565c0; } h3 { font-size: 14px; }
        section { margin-bottom: 24px; }
        @media print { section + section { break-before: page; } article.meter, figure { break-inside: avoid; } }
        svg { max-width: 100%; height: auto; }
        figure { margin: 8px 0 16px; } figcaption { font-weight: bold; margin-bottom: 4px; }
        table { border-collapse: collapse; margin: 6px 0 14px; font-size: 11px; }
        th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: left; vertical-align: top; }
        th { background: #eceff1; }
        dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; font-size: 12px; }
        dt { font-weight: bold; } dd { margin: 0; overflow-wrap: anywhere; }
        .warnings li { color: #b71c1c; }
        .axis { stroke: #444; stroke-width: 1; } .frame { fill: none; stroke: #ccc; }
        rect.up { fill: #2e7d32; } rect.down { fill: #c62828; } rect.total { fill: #1565c0; }
        text { font-size: 11px; fill: #222; } text.value, text.label { text-anchor: middle; }
        text.label-right { text-anchor: end; } text.label-left { text-anchor: start; } text.unit { fill: #555; }
        .series { fill: none; stroke: #1565c0; stroke-width: 1.5; }
        .s-none { fill: #eeeeee; background: #eeeeee; } .s-ok { fill: #66bb6a; background: #66bb6a; }
        .s-late { fill: #8e24aa; background: #8e24aa; } .s-missing { fill: #424242; background: #424242; }
        .s-lapsed { fill: #ef6c00; background: #ef6c00; } .s-held { fill: #d50000; background: #d50000; }
        .m-gap { fill: #424242; fill-opacity: 0.25; background: #bdbdbd; }
        .m-lapse { fill: #ef6c00; fill-opacity: 0.25; background: #ffcc80; }
        .m-held { fill: #d50000; background: #d50000; } .m-reset { fill: #6d4c41; background: #6d4c41; }
        .m-rollover { fill: #00897b; background: #00897b; } .m-split { fill: #5e35b1; background: #5e35b1; }
        .legend .key { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: middle;
          -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        """
}
