import JCMCore
import JCMPostgres

/// From what the database holds for each meter of a frozen period to the calculation's inputs:
/// totals converted exactly to the methodology's unit, the expected slots left empty.
enum PeriodInputs {
    static func build(
        _ methodology: Methodology, project: String, config: Config, totals: [PeriodMeterTotals],
        slots: [PeriodSlots]
    ) throws -> [String: [MeterPeriodInput]] {
        let byMeter = Dictionary(totals.map { ($0.meter, $0) }, uniquingKeysWith: { a, _ in a })
        let missing = Dictionary(slots.map { ($0.meter, $0.missing) }, uniquingKeysWith: { a, _ in a })
        var inputs: [String: [MeterPeriodInput]] = [:]
        for m in config.meters where m.project == project {
            guard let p = methodology.parameter(m.parameter), p.option != .a else { continue }
            let t = byMeter[m.id]
            func convert(_ v: ExactDecimal) throws -> ExactDecimal {
                guard let unit = p.unit else { return v }
                do {
                    return try v.converted(from: m.unit, to: unit).value
                } catch {
                    throw ValidationErrorMessage(
                        "meter \(m.id): its unit \(m.unit.symbol) does not convert to \(p.unitText), the unit of \(p.id) in \(methodology.file)"
                    )
                }
            }
            let lapses = try (t?.lapses ?? []).map {
                MeterPeriodInput.Lapse(amount: try convert($0.amount), errorPercent: $0.errorPercent)
            }
            // Without a capacity to check them against, rollovers and resets are credited by the
            // half-register rule: the report marks each one.
            let byRule = m.plan.capacityPerHour == nil ? (t?.rollovers ?? 0) + (t?.resets ?? 0) : 0
            inputs[p.id, default: []].append(
                MeterPeriodInput(
                    meter: m.id, kind: m.kind, measured: try convert(t?.measured ?? .zero), lapses: lapses,
                    missingIntervals: missing[m.id] ?? 0, largestInterval: try t?.largest.map(convert),
                    held: t?.held ?? 0,
                    creditedByRule: byRule))
        }
        return inputs
    }

    /// Calendar years (UTC) the period's mitigation falls in: the vintage of its credits.
    static func vintages(_ p: MonitoringPeriod) -> [String] {
        let first = Int(p.starts.description.prefix(4)) ?? 0
        let last = Int(Timestamp(microseconds: p.ends.microseconds - 1).description.prefix(4)) ?? first
        return (first...max(first, last)).map(String.init)
    }
}
