import JCMCore

/// A row of jcm.monitoring_periods: frozen at declaration on its project's chain head.
public struct MonitoringPeriod: Sendable, Equatable {
    public var id: Int32
    public var project: String
    public var name: String
    public var starts: Timestamp
    /// Exclusive.
    public var ends: Timestamp
    /// The project's chain head when declared; nil when the chain was empty.
    public var headSeq: Int64?
    public var headHash: String?
    public var declaredBy: String
    public var declaredAt: Timestamp
    /// Frozen at declaration: the plan version in force, the SHA-256 of the project's methodology
    /// file and its option A values (JSON), as that version has them.
    public var planVersion: Int32? = nil
    public var methodologySHA256: String? = nil
    public var planValues: String? = nil
}

/// What one meter holds for a period, in the meter's unit (jcm.period_interval_values).
public struct PeriodMeterTotals: Sendable, Equatable {
    public var meter: String
    public var kind: String
    public var unit: String
    /// Sum of the period's shares of the meter's steps (held steps add 0).
    public var measured: ExactDecimal
    /// Amounts over intervals no certificate covered, by the error they are deducted at.
    public var lapses: [MeterPeriodInput.Lapse]
    /// Readings whose time is in the period.
    public var readings: Int
    /// Steps that add to the period (all but a first reading and held steps).
    public var counted: Int
    public var largest: ExactDecimal?
    public var rollovers: Int
    public var resets: Int
    public var held: Int
    /// Steps an operator resolved (jcm.corrections.resolution).
    public var resolved: Int
    /// Lapsed intervals.
    public var lapsedIntervals: Int
    public var flagged: Int
    public var corrected: Int
    /// Readings flagged out_of_order on arrival: counted in time order all the same.
    public var late: Int
    /// Steps split at a period boundary.
    public var split: Int
}

/// A step of a counter the period lists for its verifier: held (with its candidate amounts), or
/// credited as a rollover, reset, replacement or confirmed step.
public struct PeriodStep: Sendable, Equatable {
    public var meter: String
    public var from: Timestamp?
    public var to: Timestamp
    public var step: String
    /// The whole step, in the meter's unit (0 when held).
    public var delta: ExactDecimal?
    /// The period's part of it.
    public var share: ExactDecimal?
    /// Held: what it would add as each reading of it ("rollover 55, reset 50").
    public var candidates: String?
    public var reasons: String
    /// The correction that resolved it.
    public var resolvedBy: Int64?
}

/// A meter's expected slots in a period (jcm.period_slots).
public struct PeriodSlots: Sendable, Equatable {
    public var meter: String
    public var expected: Int
    public var received: Int
    public var missing: Int
}

/// A run of missing intervals between two readings (jcm.gaps) that touches the period.
public struct PeriodGap: Sendable, Equatable {
    public var meter: String
    public var from: Timestamp
    public var to: Timestamp
    public var missing: Int
    public var cause: String?
}
