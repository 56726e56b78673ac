extension MonitoringReportSheets {
    /// MRS(calc_process): each parameter as the sum of its input cells plus its corrections,
    /// each equation as a formula over the cells above, the methodology's rounding, and the
    /// whole credits. Every cell caches the value `report` computed. Returns the credits' cell.
    func calcSheet(inputRefs: [String: [String]], correctionRows: [String: [String]]) -> (String, String) {
        var rows: [[XLSXCell]] = [
            [.header("Monitoring Report Sheet (calculation process)")],
            [
                .label(
                    "Live formulas over MRS(input) and Corrections: change an input and the emission reductions follow."
                )
            ],
            ["Parameter", "Description", "Monitored or fixed value", "Corrections", "Value used", "Units"].map {
                .header($0)
            },
        ]
        var names: [String: String] = [:]
        for line in result.parameters {
            let r = rows.count + 1
            names[line.parameter] = "$E$\(r)"
            let inputs = inputRefs[line.parameter] ?? []
            let fixes = correctionRows[line.parameter] ?? []
            rows.append([
                .text(line.parameter), .paragraph(methodology.parameter(line.parameter)?.description ?? ""),
                .formula(
                    inputs.isEmpty ? "0" : "SUM(\(inputs.joined(separator: ",")))", cached: line.measured,
                    decimals: Self.decimals(line.measured)),
                .formula(
                    fixes.isEmpty ? "0" : "SUM(\(fixes.joined(separator: ",")))", cached: line.corrections,
                    decimals: Self.decimals(line.corrections)),
                .formula("C\(r)+D\(r)", cached: line.adjusted, decimals: Self.decimals(line.adjusted)),
                .text(line.unit),
            ])
        }
        rows.append([])
        rows.append(["Equation", "As the methodology writes it", "Value", "Units", "Exact"].map { .header($0) })
        for (e, line) in zip(methodology.equations, result.equations) {
            let r = rows.count + 1
            // Every name resolves (the methodology was checked when loaded); a formula that
            // could not be written keeps the value, said so.
            let f = ExcelFormula.formula(e.expression, names: names)
            names[e.id] = "$C$\(r)"
            rows.append([
                .text(e.id), .text(e.source),
                f.map { .formula($0, cached: line.value, decimals: Self.decimals(line.value)) } ?? .number(line.value),
                .text(e.unit ?? ""), .boolean(line.exact),
            ])
        }
        let resultCell = names[methodology.result] ?? "$C$1"
        let r = rows.count + 1
        rows.append([
            .text("\(methodology.result) rounded"),
            .text("\(methodology.rounding) (ROUNDDOWN/ROUNDUP, toward −∞ for \"down\")"),
            .formula(
                ExcelFormula.rounding(methodology.rounding, of: resultCell), cached: result.rounded,
                decimals: methodology.rounding.scale),
            .text(methodology.equations.first { $0.id == methodology.result }?.unit ?? ""),
        ])
        rows.append([
            .text("Credits"), .text("whole credits of the rounded result; none at or below zero"),
            .formula("MAX(0,INT(C\(r)))", cached: ExactDecimal(significand: credits, scale: 0), decimals: 0),
            .text("tCO2e"),
        ])
        let xml = XLSXPackage.sheet(widths: [22, 44, 22, 16, 16, 12], rows: rows)
        return (xml, Self.ref(Self.calc, 2, r + 1))
    }

    /// Laid out like the allocation table of the JCM Credits Issuance Request Form: each
    /// account, its holder, its share and its credits, and the total.
    func issuanceSheet(creditsCell: String) -> String {
        var rows: [[XLSXCell]] = [
            [.header("JCM Credits Issuance Request: allocation of credits")],
            [.label("Project"), .text(project + (projectName.map { " – \($0)" } ?? ""))],
            [.label("Monitoring period"), .text(periodText)],
            [
                .label("Credits requested (tCO2e)"),
                .formula(creditsCell, cached: ExactDecimal(significand: credits, scale: 0), decimals: 0),
            ],
            [
                .label("Rule"),
                .label(
                    "largest remainder: each account gets the whole part of credits × share; the credits left go one each to the largest fractions, equal fractions in the order declared"
                ),
            ],
            [],
        ]
        guard !allocation.isEmpty else {
            rows.append([.label("No allocation is declared for this project ([[project.allocation]]).")])
            return XLSXPackage.sheet(widths: [28, 60], rows: rows)
        }
        rows.append(
            [
                "No.", "Name of account holder", "Account holder", "Registry account number", "Share (as agreed)",
                "Share", "Exact quota", "Credits (tCO2e)", "Got a leftover credit",
            ].map { .header($0) })
        let first = rows.count + 1
        for (i, line) in allocation.enumerated() {
            let share = ExactDecimal(significand: line.account.share.numerator, scale: 0).divided(
                by: ExactDecimal(significand: line.account.share.denominator, scale: 0))?.value
            let quota = ExactDecimal(significand: line.quotaNumerator, scale: 0).divided(
                by: ExactDecimal(significand: line.quotaDenominator, scale: 0))?.value
            rows.append([
                .integer(i + 1), .text(line.account.name), .text(line.account.holder.title),
                .text(line.account.account ?? ""), .text(line.account.share.text),
                share.map {
                    .formula(
                        "\(line.account.share.numerator)/\(line.account.share.denominator)", cached: $0, decimals: 6)
                } ?? .empty,
                quota.map { .formula("$B$4*F\(rows.count + 1)", cached: $0, decimals: 4) } ?? .empty,
                .number(ExactDecimal(significand: line.credits, scale: 0)), .boolean(line.remainder),
            ])
        }
        let last = rows.count
        rows.append([
            .header("Total"), .empty, .empty, .empty, .empty,
            .formula("SUM(F\(first):F\(last))", cached: ExactDecimal(significand: 1, scale: 0), decimals: 6),
            .empty,
            .formula("SUM(H\(first):H\(last))", cached: ExactDecimal(significand: credits, scale: 0), decimals: 0),
        ])
        return XLSXPackage.sheet(widths: [6, 32, 34, 24, 16, 12, 14, 16, 20], rows: rows)
    }

    func aboutSheet() -> String {
        let rows: [[XLSXCell]] =
            [[.header("About this workbook")]] + about.map { [.label($0.0), $0.1] }
        return XLSXPackage.sheet(widths: [28, 90], rows: rows)
    }
}
