import ArgumentParser
import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A frozen monitoring period's result: each parameter's total, completeness, flags, corrections, RE, PE, ER.",
        discussion: """
            --format text (default) prints the result for a reader; json and csv export the verifier's dataset as well: \
            every interval value with its batch, seq, chain hash and plan version, so each number traces to raw readings, \
            and the fields a registry entry needs. The methodology is the project's `calculation` file. docs/methodologies.md.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, csv }

    @OptionGroup var options: ConfigOption
    @Option(help: ArgumentHelp("Project id.", valueName: "id")) var project: String
    @Option(help: ArgumentHelp("Name of a declared period (`jcm-ingestd period list`).", valueName: "name")) var period: String
    @Option(help: "text, json or csv.") var format: Format = .text

    func run() throws {
        let config = try options.load()
        let logger = try options.logger(config)
        guard let projectConfig = config.projects.first(where: { $0.id == project }) else {
            throw ValidationErrorMessage("project \(project) is not in the configuration \(options.config)")
        }
        guard let methodology = config.methodologies[project] else {
            throw ValidationErrorMessage("project \(project) names no methodology file: set calculation (and values) in its [[project]] table")
        }
        let target = try DatabaseTarget.resolve(config, logger: logger)
        defer { target.stop(logger: logger) }
        let db = try Connection(conninfo: target.conninfo)
        try db.execute("set timezone = 'UTC'; begin isolation level repeatable read read only")
        let store = PeriodStore(db: db)
        guard let p = try store.period(project: project, name: period) else {
            throw ValidationErrorMessage("no monitoring period \(period) of project \(project): declare it with `jcm-ingestd period declare`")
        }
        let totals = try store.meterTotals(p)
        let inputs = try PeriodInputs.build(methodology, project: project, config: config, totals: totals, period: p)
        let result: PeriodResult
        do {
            result = try PeriodCalculation.calculate(methodology, values: projectConfig.values, meters: inputs)
        } catch {
            throw ValidationErrorMessage("\(project) \(period): \(error)")
        }
        let registry: [(String, String)] = [
            ("project", project), ("project_methodology", projectConfig.methodology),
            ("methodology_version", projectConfig.methodologyVersion ?? ""), ("calculation", "\(methodology.id) \(methodology.version)"),
            ("period", p.name), ("period_start", p.starts.description), ("period_end", p.ends.description),
            ("vintage", PeriodInputs.vintages(p).joined(separator: " ")), ("emission_reductions_tco2e", result.rounded.description),
            ("chain_head", p.headSeq.map { "\(project)#\($0)" } ?? ""), ("chain_head_hash", p.headHash ?? ""),
            ("chain_head_intact", String(try store.headIsInChain(p))), ("declared_at", p.declaredAt.description), ("declared_by", p.declaredBy),
            ("arrived_after_freeze", String(try store.arrivedAfterFreeze(p))),
            ("plan_version", p.planVersion.map(String.init) ?? ""), ("methodology_sha256", p.methodologySHA256 ?? ""),
            ("frozen_values", p.planValues ?? ""),
        ]
        // Every meter of a measured parameter, those without a reading in the period too.
        let byMeter = Dictionary(totals.map { ($0.meter, $0) }, uniquingKeysWith: { a, _ in a })
        let meters: [[(String, String)]] = inputs.values.joined().sorted { $0.meter < $1.meter }.map { m in
            let t = byMeter[m.meter]
            return [("meter", m.meter), ("kind", m.kind.rawValue), ("unit", t?.unit ?? config.meters.first { $0.id == m.meter }?.unit.symbol ?? ""), ("measured", (t?.measured ?? .zero).description),
                    ("lapsed", (t?.lapsed ?? .zero).description), ("readings", String(t?.readings ?? 0)), ("missing_intervals", String(m.missingIntervals)),
                    ("resets_rollovers", String(t?.resets ?? 0)), ("flagged", String(t?.flagged ?? 0)), ("corrected", String(t?.corrected ?? 0))]
        }
        let corrections = try store.corrections(p).map { r in
            zip(["id", "meter_id", "ts", "batch", "value", "reason", "author", "created_at"], r).map { ($0, $1 ?? "") }
        }
        let out = ReportPrinter()
        switch format {
        case .text:
            out.text(registry: registry, result: result, meters: meters, corrections: corrections)
        case .json:
            try out.json(registry: registry, result: result, meters: meters, corrections: corrections) { emit in
                try store.dataset(p) { row in emit(PeriodStore.datasetColumns.indices.map { row.string($0) }) }
            }
        case .csv:
            try out.csv(registry: registry, result: result) { emit in
                try store.dataset(p) { row in emit(PeriodStore.datasetColumns.indices.map { row.string($0) }) }
            }
        }
    }
}
