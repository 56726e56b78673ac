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
    /// Sum of the interval values ending in the period.
    public var measured: ExactDecimal
    /// The part of `measured` from readings flagged calibration_lapsed.
    public var lapsed: ExactDecimal
    /// Readings whose time is in the period.
    public var readings: Int
    public var largest: ExactDecimal?
    public var resets: Int
    public var flagged: Int
    public var corrected: Int
}
