import JCMCore

/// What a frozen period's series gives `report` besides the dataset: each meter's totals (with its
/// lapsed amounts) and the steps a verifier must see. One statement evaluates the series once for
/// all three (a month of 1,000 meters is 2.88M steps): three statements evaluated it three times.
public struct PeriodSeriesParts: Sendable, Equatable {
    public var totals: [PeriodMeterTotals]
    /// Held steps and the steps credited as rollovers, resets, replacements or confirmed, in
    /// meter and time order.
    public var steps: [PeriodStep]
}

extension PeriodStore {
    public func seriesParts(_ p: MonitoringPeriod) throws -> PeriodSeriesParts {
        // Part 0: a meter's totals; 1: its lapsed amount per error; 2: a step. Every column is text
        // so the three parts share one row shape; k1 and k2 order the lapses and the steps.
        let rows = try db.query(
            """
            with v as materialized (
                select meter_id, kind, unit, ts_from, ts_to, delta, share, step, candidates, lapsed, lapse_error_pct, status,
                       reasons, corrected, resolved
                from jcm.period_interval_values($1)
            )
            select 0 as part, meter_id, null::numeric as k1, null::timestamptz as k2, kind, unit, coalesce(sum(share), 0)::text,
                   count(*) filter (where ts_to > $2::timestamptz and ts_to <= $3::timestamptz)::text,
                   count(*) filter (where step not in ('first', 'held'))::text,
                   (max(share) filter (where kind = 'interval' and step <> 'held'))::text,
                   count(*) filter (where step = 'rollover')::text, count(*) filter (where step = 'reset')::text,
                   count(*) filter (where step = 'held')::text, count(resolved)::text, count(*) filter (where lapsed)::text,
                   count(*) filter (where status = 'flagged')::text, count(corrected)::text,
                   count(*) filter (where 'out_of_order' = any(reasons) and ts_to > $2::timestamptz and ts_to <= $3::timestamptz)::text,
                   count(*) filter (where share is distinct from delta and delta is not null)::text
            from v group by meter_id, kind, unit
            union all
            select 1, meter_id, lapse_error_pct, null, lapse_error_pct::text, sum(share)::text,
                   null, null, null, null, null, null, null, null, null, null, null, null, null
            from v where lapsed and share is not null group by meter_id, lapse_error_pct
            union all
            select 2, meter_id, null, ts_to, (extract(epoch from ts_from) * 1000000)::bigint::text,
                   (extract(epoch from ts_to) * 1000000)::bigint::text, step, delta::text, share::text, candidates,
                   array_to_string(reasons, ' '), resolved::text, null, null, null, null, null, null, null
            from v where step in ('held', 'rollover', 'reset', 'replacement', 'confirmed')
            order by part, meter_id, k1, k2
            """, [.int(p.id), .timestamp(p.starts), .timestamp(p.ends)]
        )
        var lapses: [String: [MeterPeriodInput.Lapse]] = [:]
        var totals: [PeriodMeterTotals] = []
        var steps: [PeriodStep] = []
        for r in rows {
            let meter = try r.string(1)
            switch try r.int(0) {
            case 0:
                totals.append(
                    PeriodMeterTotals(
                        meter: meter, kind: try r.string(4), unit: try r.string(5), measured: try r.decimal(6),
                        lapses: [], readings: try r.int(7), counted: try r.int(8), largest: try r.nullable.decimal(9),
                        rollovers: try r.int(10), resets: try r.int(11), held: try r.int(12), resolved: try r.int(13),
                        lapsedIntervals: try r.int(14), flagged: try r.int(15), corrected: try r.int(16),
                        late: try r.int(17), split: try r.int(18)))
            case 1:
                lapses[meter, default: []].append(
                    MeterPeriodInput.Lapse(amount: try r.decimal(5), errorPercent: try r.nullable.decimal(4)))
            default:
                steps.append(
                    PeriodStep(
                        meter: meter, from: try r.nullable.int64(4).map(Timestamp.init(microseconds:)),
                        to: Timestamp(microseconds: try r.int64(5)), step: try r.string(6),
                        delta: try r.nullable.decimal(7), share: try r.nullable.decimal(8),
                        candidates: try r.nullable.string(9), reasons: try r.nullable.string(10) ?? "",
                        resolvedBy: try r.nullable.int64(11)))
            }
        }
        for i in totals.indices { totals[i].lapses = lapses[totals[i].meter] ?? [] }
        return PeriodSeriesParts(totals: totals, steps: steps)
    }
}
