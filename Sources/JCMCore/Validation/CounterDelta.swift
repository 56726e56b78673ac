/// What a cumulative counter counted between two readings. A counter that goes backwards was
/// reset (it starts again from zero: the delta is its new value) or rolled over at its modulus
/// (the delta goes through the wrap). The same rule is `jcm.interval_values` in SQL
/// (migration 0003); both must change together.
public enum CounterDelta {
    public enum Step: String, Sendable, Equatable {
        case normal, reset, rollover
    }

    /// A drop is a rollover when going through the wrap is the shorter way, i.e. the counter
    /// moved at most half its modulus; otherwise it was reset. Values are below the modulus
    /// (the validator refuses others), so the way through the wrap is never negative.
    public static func between(_ previous: ExactDecimal, _ current: ExactDecimal, modulus: ExactDecimal?) -> (delta: ExactDecimal, step: Step) {
        if current >= previous, let d = current - previous { return (d, .normal) }
        if let modulus, let toTop = modulus - previous, let wrapped = toTop + current,
           let twice = wrapped + wrapped, twice <= modulus, !wrapped.isNegative {
            return (wrapped, .rollover)
        }
        return (current, .reset)
    }
}
