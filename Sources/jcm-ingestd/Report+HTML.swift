import Foundation
import JCMCore
import JCMPostgres

/// `report --format html`: the page's pieces from what `report` computed, and one pass over the
/// dataset (in meter and time order) for the heat map and the charts.
extension Report {
    func writeHTML(
        to out: Output, dataset: EarlyDataset, period p: MonitoringPeriod, gaps: [PeriodGap], result: PeriodResult,
        summary: Fields,
        tables: [ReportTable], meters: [(id: String, unit: String)], warnings: [String]
    ) throws {
        var completeness = CompletenessMap(starts: p.starts, ends: p.ends)
        var series: [String: MeterSeries] = [:]
        for m in meters {
            completeness.addMeter(m.id)
            series[m.id] = MeterSeries(meter: m.id, unit: m.unit, starts: p.starts, ends: p.ends)
        }
        let column = Dictionary(uniqueKeysWithValues: PeriodStore.datasetColumns.enumerated().map { ($1, $0) })
        func at(_ name: String) -> Int { column[name]! }
        let parse = TimestampParser()
        try dataset.rows { row in
            guard let meter = row.string(at("meter_id")), series[meter] != nil,
                let to = row.string(at("ts_to")).flatMap({ try? parse.parse($0) })
            else { return }
            let step = row.string(at("step")) ?? ""
            let lapsed = row.string(at("lapsed")) == "t"
            let late = (row.string(at("reasons")) ?? "").split(separator: " ").contains("out_of_order")
            series[meter]?.add(
                from: row.string(at("ts_from")).flatMap { try? parse.parse($0) }, to: to, step: step,
                delta: row.string(at("delta")).flatMap { ExactDecimal(parsing: $0) },
                share: row.string(at("share")).flatMap { ExactDecimal(parsing: $0) }, lapsed: lapsed)
            let state: CompletenessMap.State =
                step == "held" ? .held : lapsed ? .lapsed : late ? .late : .counted
            completeness.mark(meter, at: to, state)
        }
        for g in gaps {
            series[g.meter]?.gap(from: g.from, to: g.to, missing: g.missing)
            completeness.markGap(g.meter, from: g.from, to: g.to)
        }
        let trace = tables.filter { !["warnings"].contains($0.name) }.map { t in
            HTMLReport.Table(
                t.name, columns: t.columns, rows: t.rows, idPrefix: t.name == "parameters" ? "param" : nil,
                linkPrefix: t.name == "meters" ? "meter" : nil)
        }
        let page = HTMLReport(
            title: "\(project) · \(period) · \(result.result) \(result.rounded)", summary: summary,
            waterfalls: [Waterfall.result(result)] + Waterfall.parameters(result), completeness: completeness,
            tables: trace, warnings: warnings)
        try page.write(meters: meters.compactMap { series[$0.id] }) { try out.write($0) }
    }
}
