/// Emission reductions of one monitoring period, as a pure function of the methodology, the
/// project's fixed values and its meters' period totals. Conservative rules (docs/methodologies.md):
///
/// - Calibration lapse: |lapsed| × error / 100 (the MPE, or a larger as-found error), deducted from a parameter that raises reductions,
///   added to one that lowers them. A lapse without a known MPE is an error, never a guess.
/// - Missing intervals of an interval meter: excluded for a raising parameter (nothing filled),
///   defaulted to largest interval × count for a lowering one. A counter's gap is bridged by its
///   next delta: listed, not corrected.
public enum PeriodCalculation {
    public static func calculate(
        _ methodology: Methodology,
        values: [String: ExactDecimal],
        meters: [String: [MeterPeriodInput]]
    ) throws(PeriodCalculationError) -> PeriodResult {
        for name in values.keys.sorted() where methodology.parameter(name)?.option != .a {
            throw .unknownParameter(name, expected: "an option A parameter")
        }
        for name in meters.keys.sorted() where methodology.parameter(name).map({ $0.option == .a }) ?? true {
            throw .unknownParameter(name, expected: "a measured (option B or C) parameter")
        }
        var lines: [PeriodResult.ParameterLine] = []
        var corrections: [PeriodResult.CorrectionLine] = []
        var notes: [PeriodResult.Note] = []
        var exact = true
        var env: [String: ExactDecimal] = [:]
        for p in methodology.parameters {
            if p.option == .a {
                guard let v = values[p.id] else { throw .missingValue(parameter: p.id) }
                lines.append(
                    .init(
                        parameter: p.id, unit: p.unitText, option: p.option, effect: p.effect, meters: 0, measured: v,
                        corrections: .zero, adjusted: v))
                env[p.id] = v
                continue
            }
            guard let inputs = meters[p.id], !inputs.isEmpty else { throw .noMeters(parameter: p.id) }
            var total = ExactDecimal.zero
            var corrected = ExactDecimal.zero
            for m in inputs {
                guard let sum = total + m.measured else { throw .overflow(parameter: p.id) }
                total = sum
                for c in try lineCorrections(p, m, notes: &notes, exact: &exact) {
                    guard let s = corrected + c.amount else { throw .overflow(parameter: p.id) }
                    corrected = s
                    corrections.append(c)
                }
            }
            guard let adjusted = total + corrected else { throw .overflow(parameter: p.id) }
            lines.append(
                .init(
                    parameter: p.id, unit: p.unitText, option: p.option, effect: p.effect, meters: inputs.count,
                    measured: total, corrections: corrected, adjusted: adjusted))
            env[p.id] = adjusted
        }
        var equations: [PeriodResult.EquationLine] = []
        for e in methodology.equations {
            let r: (value: ExactDecimal, exact: Bool)
            do { r = try e.expression.evaluate(env, equation: e.id) } catch { throw .evaluation(error) }
            env[e.id] = r.value
            exact = exact && r.exact
            equations.append(.init(equation: e.id, expression: e.source, unit: e.unit, value: r.value, exact: r.exact))
        }
        let unrounded = env[methodology.result] ?? .zero
        return PeriodResult(
            methodology: methodology.id, methodologyVersion: methodology.version, methodologyFile: methodology.file,
            parameters: lines, corrections: corrections, equations: equations, result: methodology.result,
            unrounded: unrounded, rounded: methodology.rounding.apply(unrounded), rounding: methodology.rounding,
            exact: exact, notes: notes)
    }

    /// The correction lines (and notes) one meter's period brings to its parameter.
    static func lineCorrections(
        _ p: Methodology.Parameter, _ m: MeterPeriodInput, notes: inout [PeriodResult.Note], exact: inout Bool
    ) throws(PeriodCalculationError) -> [PeriodResult.CorrectionLine] {
        guard m.kind != .instantaneous else { throw .notSummable(parameter: p.id, meter: m.meter) }
        guard m.missingIntervals >= 0 else { throw .negativeMissingIntervals(parameter: p.id, meter: m.meter) }
        let direction =
            p.effect == .raises
            ? "deducted: a larger \(p.id) raises reductions" : "added: a larger \(p.id) lowers reductions"
        var out: [PeriodResult.CorrectionLine] = []
        for lapse in m.lapses where lapse.amount != .zero {
            guard let lapsed = lapse.amount.isNegative ? ExactDecimal.zero - lapse.amount : Optional(lapse.amount)
            else { throw .overflow(parameter: p.id) }
            guard let pct = lapse.errorPercent else {
                throw .lapseWithoutPermissibleError(parameter: p.id, meter: m.meter)
            }
            guard let product = lapsed.multiplied(by: pct),
                let amount = product.value.divided(by: ExactDecimal(significand: 100, scale: 0)),
                let signed = p.effect == .raises ? ExactDecimal.zero - amount.value : amount.value
            else { throw .overflow(parameter: p.id) }
            exact = exact && product.exact && amount.exact
            out.append(
                .init(
                    parameter: p.id, meter: m.meter, reason: .calibrationLapse, basis: lapsed, factor: pct,
                    amount: signed.normalized,
                    why:
                        "\(lapsed) \(p.unitText) measured over intervals no certificate covered × \(pct)% = \(amount.value.normalized), \(direction)"
                ))
            notes.append(
                .init(
                    kind: .correction, parameter: p.id, meter: m.meter, intervals: nil,
                    text: "calibration lapse: \(signed.normalized) \(p.unitText) (\(direction))"))
        }
        if m.held > 0 {
            notes.append(
                .init(
                    kind: .held, parameter: p.id, meter: m.meter, intervals: m.held,
                    text:
                        "\(m.held) step\(m.held == 1 ? "" : "s") held, not credited until resolved (see steps; `jcm-ingestd resolve`)"
                ))
        }
        if m.creditedByRule > 0 {
            notes.append(
                .init(
                    kind: .credited, parameter: p.id, meter: m.meter, intervals: m.creditedByRule,
                    text:
                        "\(m.creditedByRule) rollover\(m.creditedByRule == 1 ? "" : "s")/reset\(m.creditedByRule == 1 ? "" : "s") credited by the half-register rule: the meter has no capacity to check them against (see steps)"
                ))
        }
        guard m.missingIntervals > 0 else { return out }
        let n = m.missingIntervals
        if m.kind == .cumulative {
            notes.append(
                .init(
                    kind: .bridged, parameter: p.id, meter: m.meter, intervals: n,
                    text:
                        "\(n) missing interval\(n == 1 ? "" : "s") bridged by the counter (its next delta spans the gap): no correction"
                ))
        } else if p.effect == .raises {
            notes.append(
                .init(
                    kind: .excluded, parameter: p.id, meter: m.meter, intervals: n,
                    text:
                        "\(n) missing interval\(n == 1 ? "" : "s") excluded, nothing filled: a larger \(p.id) raises reductions"
                ))
        } else {
            guard let largest = m.largestInterval else {
                throw .gapWithoutLargestInterval(parameter: p.id, meter: m.meter)
            }
            guard let amount = largest.multiplied(by: Int128(n)) else { throw .overflow(parameter: p.id) }
            out.append(
                .init(
                    parameter: p.id, meter: m.meter, reason: .gapDefault, basis: largest,
                    factor: ExactDecimal(significand: Int128(n), scale: 0),
                    amount: amount.normalized,
                    why:
                        "\(n) missing interval\(n == 1 ? "" : "s") × largest interval \(largest) \(p.unitText), \(direction)"
                ))
            notes.append(
                .init(
                    kind: .defaulted, parameter: p.id, meter: m.meter, intervals: n,
                    text:
                        "\(n) missing interval\(n == 1 ? "" : "s") defaulted to the largest interval \(largest) \(p.unitText): +\(amount.normalized)"
                ))
        }
        return out
    }
}
