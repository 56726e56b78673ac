import JCMCore
import JCMPostgres

/// From what `report` gathered to the Monitoring Report Sheet's pure model.
extension Report {
    func workbookSheets(
        config: Config, project: Config.Project, sheet: FrozenSheet, methodology: Methodology, result: PeriodResult,
        inputs: [String: [MeterPeriodInput]], period: MonitoringPeriod, summary: Fields, tables: [ReportTable],
        allocation: [CreditAllocation.Line], credits: Int128
    ) -> MonitoringReportSheets {
        let monitored: [MonitoringReportSheets.MonitoredRow] = config.meters.compactMap { m in
            guard m.project == project.id, let p = methodology.parameter(m.parameter), p.option != .a,
                let input = inputs[p.id]?.first(where: { $0.meter == m.id })
            else { return nil }
            // The texts and options the period froze (FrozenSheet), not today's configuration's.
            let declared = sheet.parameters[p.id]
            var fallback = declared?.texts ?? Config.SheetTexts()
            if fallback.description == nil { fallback.description = p.description }
            return .init(
                parameter: p.id, meter: m.id, texts: (sheet.meters[m.id] ?? Config.SheetTexts()).over(fallback),
                value: input.measured, unit: p.unitText, option: declared?.option ?? p.option)
        }
        let titles = [
            "gaps": "Gaps (missing intervals) and how they were treated",
            "steps": "Held steps, resets, rollovers and boundary splits",
            "notes": "Notes of the calculation", "recorded_corrections": "Corrections recorded by operators",
            "warnings": "Warnings",
        ]
        let blocks = ["gaps", "steps", "notes", "recorded_corrections", "warnings"].compactMap { name in
            tables.first { $0.name == name }.map { t in
                MonitoringReportSheets.Block(
                    title: titles[name] ?? name, columns: t.columns, rows: t.rows.map { $0.map(Self.cell) })
            }
        }
        var about: [(String, XLSXCell)] = summary.map { f in
            if f.name == "checkpoint", case .text(let note) = f.value { return (f.name, .paragraph(note)) }
            return (f.name, Self.cell(f.value))
        }
        about.append(("generated_by", .text("jcm-ingestd \(Version.string)")))
        about.append(
            (
                "reproduce_with",
                .text(
                    "jcm-ingestd report -c \(options.config) --project \(project.id) --period \(period.name) --format xlsx -o FILE"
                )
            ))
        return MonitoringReportSheets(
            project: project.id, projectName: project.name, period: period.name, starts: period.starts,
            ends: period.ends, methodology: methodology, result: result, monitored: monitored,
            sources: sheet.valueSources, blocks: blocks, about: about, allocation: allocation, credits: credits)
    }

    static func cell(_ v: FieldValue) -> XLSXCell {
        switch v {
        case .text(let s): XLSXCell.utcInstant(s).map { .time($0) } ?? .text(s)
        case .decimal(let d): .number(d)
        case .integer(let i): .integer(i)
        case .boolean(let b): .boolean(b)
        case .time(let t): .time(t)
        case .null: .empty
        }
    }

    /// The allocation as a report section: every format prints it.
    static func allocationTable(_ lines: [CreditAllocation.Line]) -> ReportTable {
        ReportTable(
            "allocation", columns: ["holder", "name", "account", "share", "credits", "leftover_credit"],
            rows: lines.map { l in
                [
                    .text(l.account.holder.rawValue), .text(l.account.name), .text(l.account.account),
                    .text(l.account.share.text), .integer(Int(l.credits)), .boolean(l.remainder),
                ]
            })
    }
}
