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

    // Rules read `entry.meter.plan` in place: binding the meter or its plan to a local copies
    // them, retaining each of their strings and arrays for every reading (bench/validation.sh).
    mutating func checkPlan(
        _ entry: MeterRegistry.Entry, _ value: ExactDecimal, at t: Timestamp, flags: inout [ReasonCode]
    ) -> (reason: ReasonCode, detail: String)? {
        if let start = entry.monitoringStart, t < start {
            return (
                .beforeMonitoringStart,
                "timestamp \(t) is before the monitoring start of project \(entry.meter.project) (\(start))"
            )
        }
        if value.isNegative, entry.meter.kind != .instantaneous,
            !(entry.meter.plan.range.map { $0.min.isNegative } ?? false)
        {
            return (
                .valueNegative,
                "\(value) \(entry.meter.unit) is negative: a \(entry.meter.kind == .cumulative ? "counter" : "total over an interval") cannot be"
            )
        }
        if let r = entry.meter.plan.range, !r.contains(value) {
            return (
                .valueImplausible,
                "\(value) \(entry.meter.unit) is outside the meter's plausible range [\(r.min), \(r.max)]"
            )
        }
        if let m = entry.meter.plan.rollover, !(value < m) {
            return (
                .valueImplausible,
                "\(value) \(entry.meter.unit) is not below the counter's rollover (\(m)): a register that wraps there cannot show it"
            )
        }
        if let r = entry.meter.plan.expectedRange, !r.contains(value) { flags.append(.valueUnusual) }
        if entry.meter.plan.calibrationRequired, !entry.meter.plan.calibrations.contains(where: { $0.covers(t) }) {
            flags.append(.calibrationLapsed)
        }

        switch entry.meter.kind {
        case .cumulative: checkCounter(entry, value, at: t, flags: &flags)
        case .interval:
            if let cap = entry.meter.plan.capacityPerHour, let ms = entry.meter.plan.expectedIntervalMilliseconds,
                Self.exceeds(value, capacityPerHour: cap, microseconds: ms * 1_000)
            {
                flags.append(.spike)
            }
        case .instantaneous:
            if (signals[entry.meter.id]?.timestamp).map({ $0 < t }) ?? true { signals[entry.meter.id] = (t, value) }
        }
        return nil
    }

    private mutating func checkCounter(
        _ entry: MeterRegistry.Entry, _ value: ExactDecimal, at t: Timestamp, flags: inout [ReasonCode]
    ) {
        // One hash of the key per reading: the slot found here is written back below.
        guard let slot = newest.index(forKey: entry.key) else {
            newest[entry.key] = CounterState(timestamp: t, value: value, flatSince: t)
            return
        }
        let last = newest.values[slot]
        if t < last.timestamp {
            flags.append(.outOfOrder)
            return
        }
        if t == last.timestamp { return }  // the same key: the database decides (no-op or conflict)

        let (delta, step) = CounterDelta.between(last.value, value, modulus: entry.meter.plan.rollover)
        switch step {
        case .reset: flags.append(.counterReset)
        case .rollover: flags.append(.counterRollover)
        case .normal: break
        }
        if let cap = entry.meter.plan.capacityPerHour,
            Self.exceeds(delta, capacityPerHour: cap, microseconds: t.microseconds - last.timestamp.microseconds)
        {
            flags.append(.spike)
        }
        var state = CounterState(timestamp: t, value: value, flatSince: t)
        if delta.significand == 0, step == .normal {
            state.flatSince = last.flatSince
            let flatFor = t.microseconds - last.flatSince.microseconds
            let tooLong = entry.meter.plan.stuckAfterMilliseconds.map { flatFor >= $0 * 1_000 } ?? false
            // Production seen by the signal meter during the flat interval: the counter missed it.
            let producing =
                entry.meter.plan.productionSignal.flatMap { signals[$0] }.map { s in
                    s.timestamp > last.timestamp && s.timestamp <= t && s.value > .zero
                } ?? false
            if tooLong || producing { flags.append(.counterStuck) }
        }
        newest.values[slot] = state
    }

    /// amount > capacity × elapsed, in exact arithmetic: amount × 1 h > capacity × elapsed µs.
    static func exceeds(_ amount: ExactDecimal, capacityPerHour: ExactDecimal, microseconds: Int64) -> Bool {
        guard microseconds > 0 else { return amount > .zero }
        guard let lhs = amount.multiplied(by: microsecondsPerHour),
            let rhs = capacityPerHour.multiplied(by: Int128(microseconds))
        else {
            return false
        }
        return rhs < lhs
    }
}
