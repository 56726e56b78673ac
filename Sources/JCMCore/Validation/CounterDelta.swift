/// What a cumulative counter counted between two readings. A counter that goes backwards was
/// reset (it starts again from zero: the delta is its new value) or rolled over at its modulus
/// (the delta goes through the wrap). This is the validator's verdict on arrival. The period's
/// numbers judge steps again in SQL (`jcm.series_steps`, migration 0009): for a meter without a
/// capacity the rule is this one, and both must change together (PlanStorageTests checks the
/// sums agree); with a capacity an implausible step is held instead.
public enum CounterDelta {
    public enum Step: String, Sendable, Equatable {
        case normal, reset, rollover
    }

    /// A drop is a rollover when going through the wrap is the shorter way, i.e. the counter
    /// moved at most half its modulus; otherwise it was reset. Values are below the modulus
    /// (the validator refuses others), so the way through the wrap is never negative.
    public static func between(_ previous: ExactDecimal, _ current: ExactDecimal, modulus: ExactDecimal?) -> (
        delta: ExactDecimal, step: Step
    ) {
        if current >= previous, let d = current - previous { return (d, .normal) }
        if let modulus, let toTop = modulus - previous, let wrapped = toTop + current,
            let twice = wrapped + wrapped, twice <= modulus, !wrapped.isNegative
        {
            return (wrapped, .rollover)
        }
        return (current, .reset)
    }
}
