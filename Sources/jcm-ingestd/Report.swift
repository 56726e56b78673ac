import ArgumentParser
import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "A frozen monitoring period's result: each parameter's total, gaps, held steps, corrections, RE, PE, ER.",
        discussion: """
            --format text (default) prints the result for a reader; json and csv export the verifier's dataset as well: \
            every interval value with its batch, seq, chain hash and plan version, so each number traces to raw readings. \
            csv writes one file per section into the folder -o names. The methodology is the project's `calculation` file. \
            Exit status: 0 clean; 3 when a reading of the period was excluded, held or late; 4 when a measured parameter \
            has no counted reading although the period has readings (docs/methodologies.md). Warnings go to stderr too. \
            xlsx writes the Monitoring Report Sheet (MRS(input), MRS(calc_process) with live formulas, Corrections, \
            Dataset, About, Issuance request) to the file -o names. html writes one self-contained page (inline SVG and \
            CSS, no scripts) for a verifier: the result as a waterfall, completeness per meter and day, each meter's \
            counter with its gaps, resets, rollovers, lapses and splits, and the trace tables; it prints to A4. \
            The summary line on stderr names every file written.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, csv, xlsx, html }

    @OptionGroup var options: ConfigOption
    @Option(help: ArgumentHelp("Project id.", valueName: "id")) var project: String
    @Option(help: ArgumentHelp("Name of a declared period (`jcm-ingestd period list`).", valueName: "name")) var period:
        String
    @Option(help: "text, json, csv, xlsx or html.") var format: Format = .text
    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp(
            "Write to this file (a folder for csv; required for csv and xlsx) instead of standard output.",
            valueName: "path"))
    var output: String?

    func run() throws {
        if format == .csv, output == nil {
            throw ValidationError("--format csv writes one file per section: name a folder with -o")
        }
        if format == .xlsx, output == nil {
            throw ValidationError("--format xlsx writes a workbook: name the file with -o")
        }
        let config = try options.load()
        let logger = try options.logger(config)
        guard let projectConfig = config.projects.first(where: { $0.id == project }) else {
            throw ValidationErrorMessage("project \(project) is not in the configuration \(options.config)")
        }
        guard let configured = config.methodologies[project] else {
            throw ValidationErrorMessage(
                "project \(project) names no methodology file: set calculation (and values) in its [[project]] table")
        }
        let target = try DatabaseTarget.resolve(config, logger: logger)
        defer { target.stop(logger: logger) }
        let db = try Connection(conninfo: target.conninfo)
        try db.execute("set timezone = 'UTC'; begin isolation level repeatable read read only")
        let store = PeriodStore(db: db)
        guard let p = try store.period(project: project, name: period) else {
            let declared = try store.periods(project: project).map(\.name)
            throw ValidationErrorMessage(
                "no monitoring period \(period) of project \(project): "
                    + (declared.isEmpty
                        ? "none is declared yet; declare one with `jcm-ingestd period declare`"
                        : "declared: \(declared.joined(separator: ", "))"))
        }
        // The series is evaluated twice in all: for the dataset, started first on a connection of
        // its own, and here.
        let early = try EarlyDataset(store: store, period: p, conninfo: target.conninfo, start: format != .text)
        let series = try store.seriesParts(p)
        let totals = series.totals
        let slots = try store.slots(p)
        // The period's own methodology and values, frozen when it was declared, not today's.
        var frozen = try FrozenInputs.load(
            p, configured: configured, configuredText: config.methodologyTexts[project],
            configuredValues: projectConfig.values, db: db)
        // And the sheet's texts and the allocation it froze.
        let sheet = try FrozenSheet.load(p, config: config, project: projectConfig, db: db)
        frozen.differences += sheet.differences
        for line in frozen.differences { logger.warning("\(project) \(period): \(line)") }
        let methodology = frozen.methodology
        let inputs = try PeriodInputs.build(methodology, project: project, config: config, totals: totals, slots: slots)
        let result: PeriodResult
        do {
            result = try PeriodCalculation.calculate(methodology, values: frozen.values, meters: inputs)
        } catch {
            throw ValidationErrorMessage("\(project) \(period): \(error)")
        }
        // Whole credits, split by the agreed allocation (largest remainder, docs/methodologies.md).
        let credits = CreditAllocation.wholeCredits(result.rounded)
        guard let allocation = CreditAllocation.allocate(credits, to: sheet.allocation) else {
            throw ValidationErrorMessage(
                "\(project) \(period): the allocation's shares are too fine to allocate exactly")
        }
        let recorded = try store.corrections(p)
        let afterFreeze = try store.arrivedAfterFreeze(p)
        let byMeter = Dictionary(totals.map { ($0.meter, $0) }, uniquingKeysWith: { a, _ in a })
        let slotsByMeter = Dictionary(slots.map { ($0.meter, $0) }, uniquingKeysWith: { a, _ in a })
        let measuredMeters = config.meters.filter { m in
            m.project == project && methodology.parameter(m.parameter).map { $0.option != .a } == true
        }
        // A correction with no value and no resolution excludes its reading.
        let excluded = Dictionary(grouping: recorded.filter { $0[4] == nil && $0[5] == nil }, by: { $0[1] ?? "" })
            .mapValues(\.count)
        let findings = PeriodFindings.judge(
            meters: measuredMeters.map { m in
                let t = byMeter[m.id]
                return .init(
                    meter: m.id, parameter: m.parameter, readings: t?.readings ?? 0, counted: t?.counted ?? 0,
                    held: t?.held ?? 0,
                    excluded: excluded[m.id] ?? 0, late: t?.late ?? 0, lapsed: t?.lapsedIntervals ?? 0)
            },
            measuredParameters: methodology.parameters.filter { $0.option != .a }.map(\.id),
            arrivedAfterFreeze: afterFreeze)

        let summary: Fields =
            [
                ("project", .text(project)), ("project_methodology", .text(projectConfig.methodology)),
                ("methodology_version", .text(projectConfig.methodologyVersion ?? methodology.version)),
                ("calculation", .text("\(methodology.id) \(methodology.version)")),
                ("period", .text(p.name)), ("period_start", .time(p.starts)), ("period_end", .time(p.ends)),
                ("vintage", .text(PeriodInputs.vintages(p).joined(separator: " "))),
                ("emission_reductions_tco2e", .decimal(result.rounded)), ("credits", .integer(Int(credits))),
                ("chain_head", .text(p.headSeq.map { "\(project)#\($0)" })), ("chain_head_hash", .text(p.headHash)),
                ("chain_head_intact", .boolean(try store.headIsInChain(p))), ("declared_at", .time(p.declaredAt)),
                ("declared_by", .text(p.declaredBy)),
                ("arrived_after_freeze", .integer(afterFreeze)),
                ("plan_version", p.planVersion.map { .integer(Int($0)) } ?? .null),
                ("methodology_sha256", .text(p.methodologySHA256)),
                ("frozen_values", .text(p.planValues)),
                (
                    "configuration_differs",
                    .text(frozen.differences.isEmpty ? nil : frozen.differences.joined(separator: "; "))
                ),
                ("warnings", .integer(findings.warnings.count)),
                ("exit_status", .integer(Int(findings.exitStatus))),
            ] + result.fields
        let meters: [Fields] = measuredMeters.map { m in
            let t = byMeter[m.id]
            let s = slotsByMeter[m.id]
            return [
                ("meter", .text(m.id)), ("parameter", .text(m.parameter)), ("kind", .text(m.kind.rawValue)),
                ("unit", .text(t?.unit ?? m.unit.symbol)),
                ("measured", .decimal(t?.measured ?? .zero)), ("readings", .integer(t?.readings ?? 0)),
                ("counted", .integer(t?.counted ?? 0)),
                ("expected_intervals", s.map { .integer($0.expected) } ?? .null),
                ("missing_intervals", .integer(inputs[m.parameter]?.first { $0.meter == m.id }?.missingIntervals ?? 0)),
                ("rollovers", .integer(t?.rollovers ?? 0)), ("resets", .integer(t?.resets ?? 0)),
                ("held", .integer(t?.held ?? 0)),
                ("resolved", .integer(t?.resolved ?? 0)), ("lapsed_intervals", .integer(t?.lapsedIntervals ?? 0)),
                ("late", .integer(t?.late ?? 0)), ("split", .integer(t?.split ?? 0)),
                ("excluded", .integer(excluded[m.id] ?? 0)),
                ("flagged", .integer(t?.flagged ?? 0)), ("corrected", .integer(t?.corrected ?? 0)),
            ]
        }
        let capacity = Dictionary(
            config.meters.map { ($0.id, $0.plan.capacityPerHour != nil) }, uniquingKeysWith: { a, _ in a })
        let steps: [[FieldValue]] = series.steps.map { s in
            let basis =
                s.step == "held"
                ? "held: not credited until resolved"
                : s.resolvedBy != nil
                    ? "resolved by correction \(s.resolvedBy!)"
                    : capacity[s.meter] == true
                        ? "plausible within the meter's capacity" : "half-register rule (no capacity)"
            return [
                .text(s.meter), s.from.map { .time($0) } ?? .null, .time(s.to), .text(s.step), .decimal(s.delta),
                .decimal(s.share),
                .text(s.candidates), .text(basis), .text(s.reasons),
            ]
        }
        let periodGaps = try store.gaps(p)
        let gaps: [[FieldValue]] = periodGaps.map { g in
            [.text(g.meter), .time(g.from), .time(g.to), .integer(g.missing), .text(g.cause)]
        }
        let corrections: [[FieldValue]] = recorded.map { r in
            zip(PeriodStore.correctionColumns, r).map { ColumnType.value($0.0, $0.1) }
        }
        let tables = [
            ReportTable("parameters", fields: result.parameters.map(\.fields), columns: []),
            ReportTable("meters", fields: meters, columns: []),
            ReportTable(
                "corrections", fields: result.corrections.map(\.fields),
                columns: ["parameter", "meter", "reason", "basis", "factor", "amount", "why"]),
            ReportTable("recorded_corrections", columns: PeriodStore.correctionColumns, rows: corrections),
            ReportTable(
                "steps",
                columns: ["meter", "ts_from", "ts_to", "step", "delta", "share", "candidates", "basis", "reasons"],
                rows: steps),
            ReportTable("gaps", columns: ["meter", "gap_from", "gap_to", "missing_intervals", "cause"], rows: gaps),
            ReportTable(
                "notes", fields: result.notes.map(\.fields),
                columns: ["kind", "parameter", "meter", "intervals", "text"]),
            ReportTable(
                "equations", fields: result.equations.map(\.fields),
                columns: ["equation", "expression", "unit", "value", "exact"]),
            Self.allocationTable(allocation),
            ReportTable("warnings", columns: ["warning"], rows: findings.warnings.map { [.text($0)] }),
        ]
        let kinds = ReportPrinter.datasetColumns.map(ColumnType.kind)
        let printer = ReportPrinter(summary: summary, tables: tables) { emit in
            try early.rows { row in
                try emit(kinds.enumerated().map { ColumnType.value($0.element, row.string($0.offset)) })
            }
        }
        var written: [String] = []
        switch format {
        case .text, .json:
            let out = try output.map { try Output(path: $0) } ?? Output.standard
            try format == .text ? printer.text(to: out) : printer.json(to: out)
            try out.close()
            if let output { written = [output] }
        case .csv:
            written = try printer.csv(folder: output ?? ".")
        case .html:
            let out = try output.map { try Output(path: $0) } ?? Output.standard
            try writeHTML(
                to: out, dataset: early, period: p, gaps: periodGaps, result: result, summary: summary, tables: tables,
                meters: measuredMeters.map { ($0.id, $0.unit.symbol) }, warnings: findings.warnings)
            try out.close()
            if let output { written = [output] }
        case .xlsx:
            // The signed checkpoint of the frozen head (the period's own, declared with it, first).
            let checkpoint = try p.headSeq.flatMap { seq in
                try db.query(
                    """
                    select note from jcm.checkpoints where project = $1 and size = $2 and hash = decode($3, 'hex')
                    order by (note like '%' || $4 || '%') desc, id limit 1
                    """, [project, String(seq), p.headHash ?? "", "period \(p.name)"]
                ).rows.first?[0] ?? nil
            }
            let sheets = workbookSheets(
                config: config, project: projectConfig, sheet: sheet, methodology: methodology, result: result,
                inputs: inputs,
                period: p, summary: summary + [("checkpoint", .text(checkpoint))], tables: tables,
                allocation: allocation, credits: credits)
            // The COPY's rows go into the sheet as they are, typed as the other formats type
            // them (ColumnType), without a String per field.
            let cells = zip(ReportPrinter.datasetColumns, kinds).map { column, kind -> XLSXRowWriter.Kind in
                if ["ts_from", "ts_to"].contains(column) { return .time }
                switch kind {
                case .integer: return .integer
                case .decimal: return .decimal
                case .boolean: return .boolean
                case .text: return .text
                }
            }
            try ReportWorkbook(
                sheets: sheets, datasetColumns: ReportPrinter.datasetColumns, kinds: cells, dataset: early.rows
            ).write(to: output ?? "report.xlsx")
            written = [output ?? "report.xlsx"]
        }
        for w in findings.warnings {
            FileHandle.standardError.write(Data("warning: \(project) \(period): \(w)\n".utf8))
        }
        if !written.isEmpty {
            FileHandle.standardError.write(
                Data("report \(project) \(period): wrote \(written.joined(separator: ", "))\n".utf8))
        }
        if findings.exitStatus != 0 { throw ExitCode(findings.exitStatus) }
    }
}
