/// What one meter of a measured parameter contributed over a monitoring period, as the database
/// side computes it. Every quantity is already in the parameter's unit.
public struct MeterPeriodInput: Sendable, Equatable {
    public var meter: String
    /// Decides how gaps are treated: a counter's next delta spans its gap, an interval meter's
    /// missing intervals are simply absent.
    public var kind: Config.MeterKind
    /// Sum of the meter's interval values (deltas) in the period.
    public var measured: ExactDecimal
    /// The part of `measured` from readings flagged calibration_lapsed.
    public var lapsed: ExactDecimal
    /// The meter's maximum permissible error, in percent; required when `lapsed` is not zero.
    public var maxPermissibleErrorPercent: ExactDecimal?
    /// Intervals due in the period with no value.
    public var missingIntervals: Int
    /// Largest single interval value seen in the period (interval meters): the conservative
    /// default of a missing interval of a parameter that lowers reductions.
    public var largestInterval: ExactDecimal?

    public init(meter: String, kind: Config.MeterKind, measured: ExactDecimal, lapsed: ExactDecimal = .zero,
                maxPermissibleErrorPercent: ExactDecimal? = nil, missingIntervals: Int = 0, largestInterval: ExactDecimal? = nil) {
        self.meter = meter
        self.kind = kind
        self.measured = measured
        self.lapsed = lapsed
        self.maxPermissibleErrorPercent = maxPermissibleErrorPercent
        self.missingIntervals = missingIntervals
        self.largestInterval = largestInterval
    }
}
