/// The monitoring-plan rules, applied once a reading's value, unit and time are known. Hard
/// rules refuse the reading; the others flag it and keep it. Counter state moves only on
/// readings that are kept.
struct CounterState: Sendable {
    var timestamp: Timestamp
    var value: ExactDecimal
    /// Since when the counter has not moved.
    var flatSince: Timestamp
}

extension ReadingValidator {
    static let microsecondsPerHour = Int128(3_600_000_000)

    mutating func checkPlan(_ entry: MeterRegistry.Entry, _ value: ExactDecimal, at t: Timestamp, flags: inout [ReasonCode]) -> (reason: ReasonCode, detail: String)? {
        let meter = entry.meter
        let plan = meter.plan
        if let start = entry.monitoringStart, t < start {
            return (.beforeMonitoringStart, "timestamp \(t) is before the monitoring start of project \(meter.project) (\(start))")
        }
        if value.isNegative, meter.kind != .instantaneous, !(plan.range.map { $0.min.isNegative } ?? false) {
            return (.valueNegative, "\(value) \(meter.unit) is negative; a \(meter.kind.rawValue) meter counts up")
        }
        if let r = plan.range, value < r.min || r.max < value {
            return (.valueImplausible, "\(value) \(meter.unit) is outside the meter's plausible range [\(r.min), \(r.max)]")
        }
        if let r = plan.expectedRange, value < r.min || r.max < value { flags.append(.valueUnusual) }
        if plan.calibrationRequired, !plan.calibrations.contains(where: { $0.covers(t) }) { flags.append(.calibrationLapsed) }

        switch meter.kind {
        case .cumulative: checkCounter(entry, value, at: t, flags: &flags)
        case .interval:
            if let cap = plan.capacityPerHour, let ms = plan.expectedIntervalMilliseconds,
               Self.exceeds(value, capacityPerHour: cap, microseconds: ms * 1_000) {
                flags.append(.spike)
            }
        case .instantaneous:
            if (signals[meter.id]?.timestamp).map({ $0 < t }) ?? true { signals[meter.id] = (t, value) }
        }
        return nil
    }

    private mutating func checkCounter(_ entry: MeterRegistry.Entry, _ value: ExactDecimal, at t: Timestamp, flags: inout [ReasonCode]) {
        let plan = entry.meter.plan
        guard let last = newest[entry.key] else {
            newest[entry.key] = CounterState(timestamp: t, value: value, flatSince: t)
            return
        }
        if t < last.timestamp { flags.append(.outOfOrder); return }
        if t == last.timestamp { return }  // the same key: the database decides (no-op or conflict)

        let (delta, step) = CounterDelta.between(last.value, value, modulus: plan.rollover)
        switch step {
        case .reset: flags.append(.counterReset)
        case .rollover: flags.append(.counterRollover)
        case .normal: break
        }
        if let cap = plan.capacityPerHour, Self.exceeds(delta, capacityPerHour: cap, microseconds: t.microseconds - last.timestamp.microseconds) {
            flags.append(.spike)
        }
        var state = CounterState(timestamp: t, value: value, flatSince: t)
        if delta == .zero, step == .normal {
            state.flatSince = last.flatSince
            let flatFor = t.microseconds - last.flatSince.microseconds
            let tooLong = plan.stuckAfterMilliseconds.map { flatFor >= $0 * 1_000 } ?? false
            // Production seen by the signal meter during the flat interval: the counter missed it.
            let producing = plan.productionSignal.flatMap { signals[$0] }.map { s in
                s.timestamp > last.timestamp && s.timestamp <= t && s.value > .zero
            } ?? false
            if tooLong || producing { flags.append(.counterStuck) }
        }
        newest[entry.key] = state
    }

    /// amount > capacity × elapsed, in exact arithmetic: amount × 1 h > capacity × elapsed µs.
    static func exceeds(_ amount: ExactDecimal, capacityPerHour: ExactDecimal, microseconds: Int64) -> Bool {
        guard microseconds > 0 else { return amount > .zero }
        guard let lhs = amount.multiplied(by: microsecondsPerHour), let rhs = capacityPerHour.multiplied(by: Int128(microseconds)) else {
            return false
        }
        return rhs < lhs
    }
}
