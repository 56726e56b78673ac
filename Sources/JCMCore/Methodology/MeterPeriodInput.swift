/// What one meter of a measured parameter contributed over a monitoring period, as the database
/// side computes it (jcm.period_interval_values). Every quantity is already in the parameter's unit.
public struct MeterPeriodInput: Sendable, Equatable {
    /// Part of the meter's measured amount taken over intervals no certificate covered whole, and
    /// the error it is deducted at: the meter's MPE, or the error found at the recalibration that
    /// ended the lapse when that is larger. Nil: neither is known, which is an error.
    public struct Lapse: Sendable, Equatable {
        public var amount: ExactDecimal
        public var errorPercent: ExactDecimal?

        public init(amount: ExactDecimal, errorPercent: ExactDecimal?) {
            self.amount = amount
            self.errorPercent = errorPercent
        }
    }

    public var meter: String
    /// Decides how gaps are treated: a counter's next delta spans its gap, an interval meter's
    /// missing intervals are simply absent.
    public var kind: Config.MeterKind
    /// Sum of the meter's counted interval values (deltas, held steps as 0) in the period.
    public var measured: ExactDecimal
    public var lapses: [Lapse]
    /// The meter's expected slots in the period that hold no reading.
    public var missingIntervals: Int
    /// Largest single interval value seen in the period (interval meters): the conservative
    /// default of a missing interval of a parameter that lowers reductions.
    public var largestInterval: ExactDecimal?
    /// Steps held out of `measured` until resolved.
    public var held: Int
    /// Rollovers and resets credited by the half-register rule (the meter has no capacity).
    public var creditedByRule: Int

    public init(
        meter: String, kind: Config.MeterKind, measured: ExactDecimal, lapsed: ExactDecimal = .zero,
        maxPermissibleErrorPercent: ExactDecimal? = nil, lapses: [Lapse] = [], missingIntervals: Int = 0,
        largestInterval: ExactDecimal? = nil, held: Int = 0, creditedByRule: Int = 0
    ) {
        self.meter = meter
        self.kind = kind
        self.measured = measured
        self.lapses =
            (lapsed == .zero ? [] : [Lapse(amount: lapsed, errorPercent: maxPermissibleErrorPercent)]) + lapses
        self.missingIntervals = missingIntervals
        self.largestInterval = largestInterval
        self.held = held
        self.creditedByRule = creditedByRule
    }
}
