/// The monitoring plan of a JCM project as data: what each parameter is and how each meter
/// measuring it must behave. The validator checks readings against it; the database keeps every
/// version of it, so a verifier sees which plan was in force for any reading.
extension Config {
    /// How a parameter is monitored, as JCM methodologies name the options.
    public enum MonitoringOption: String, Sendable, Equatable, CaseIterable {
        /// Public or default data (fixed ex ante).
        case a = "A"
        /// Transaction records: invoices, purchase records.
        case b = "B"
        /// Measured by equipment: meters, which must be calibrated.
        case c = "C"
    }

    /// A monitoring parameter of a project, named as its methodology names it (`EG_p`).
    public struct Parameter: Sendable, Equatable {
        public var project: String
        public var id: String
        public var unit: MeasurementUnit
        public var option: MonitoringOption
        /// What the Monitoring Report Sheet says of it; its meters may say their own.
        public var texts: SheetTexts
        /// As the monitoring plan words it: "continuous, recorded every 15 minutes", "monthly".
        public var frequency: String? {
            get { texts.frequency }
            set { texts.frequency = newValue }
        }
        public var description: String? {
            get { texts.description }
            set { texts.description = newValue }
        }

        public init(
            project: String, id: String, unit: MeasurementUnit, option: MonitoringOption, frequency: String? = nil,
            description: String? = nil, texts: SheetTexts = SheetTexts()
        ) {
            self.project = project
            self.id = id
            self.unit = unit
            self.option = option
            self.texts = texts
            if let frequency { self.texts.frequency = frequency }
            if let description { self.texts.description = description }
        }
    }

    /// A calibration certificate of a meter: valid from `calibrated` through `validUntil`.
    public struct Calibration: Sendable, Equatable {
        public var certificate: String
        public var calibrated: Timestamp
        /// The first instant the certificate no longer covers.
        public var validUntil: Timestamp
        /// The meter's error found when this calibration was done, in percent of the reading
        /// ("as found", before adjustment). When its size exceeds the MPE, intervals of a lapse
        /// this calibration ended are deducted at it instead (docs/methodologies.md).
        public var asFoundErrorPercent: ExactDecimal?

        public init(
            certificate: String, calibrated: Timestamp, validUntil: Timestamp, asFoundErrorPercent: ExactDecimal? = nil
        ) {
            self.certificate = certificate
            self.calibrated = calibrated
            self.validUntil = validUntil
            self.asFoundErrorPercent = asFoundErrorPercent
        }

        public func covers(_ t: Timestamp) -> Bool { calibrated <= t && t < validUntil }
    }

    /// Inclusive bounds of a meter's values, in its unit.
    public struct Bounds: Sendable, Equatable {
        public var min: ExactDecimal
        public var max: ExactDecimal
        public init(min: ExactDecimal, max: ExactDecimal) {
            self.min = min
            self.max = max
        }

        public func contains(_ v: ExactDecimal) -> Bool { !(v < min) && !(max < v) }
    }

    /// What the plan says of one meter beyond its kind and unit. Values are in the meter's unit.
    public struct MeterPlan: Sendable, Equatable {
        /// How often a reading is due; gaps are counted against it. Polled meters default to
        /// their poll interval.
        public var expectedIntervalMilliseconds: Int64?
        /// Hard bounds: a value outside is rejected.
        public var range: Bounds?
        /// Soft bounds: a value outside is accepted and flagged.
        public var expectedRange: Bounds?
        /// The most the meter can count in one hour, in its unit (500 kW of PV: 500 kWh per hour).
        public var capacityPerHour: ExactDecimal?
        /// The capacity as the configuration writes it ("500 kW"), for the plan's record.
        public var capacityText: String?
        /// A cumulative counter wraps to zero at this value.
        public var rollover: ExactDecimal?
        /// Maximum permissible error of the meter, in percent of the reading.
        public var maxPermissibleErrorPercent: ExactDecimal?
        public var calibrations: [Calibration] = []
        /// Whether a reading outside every certificate is flagged: meters of an option C
        /// parameter, and any meter with a calibration register.
        public var calibrationRequired = false
        /// A cumulative counter that stays flat this long is flagged as stuck.
        public var stuckAfterMilliseconds: Int64?
        /// An instantaneous meter (power, flow) of the same equipment: a counter flat while it
        /// reads above zero is stuck.
        public var productionSignal: String?

        public init() {}
    }
}
