/// What a verifier must not miss in a period's result, and the exit status `report` gives it:
/// every doubt is said on stderr and in every format, never left as a silent zero.
///
/// - 3: some reading of the period was excluded (by a correction), held (an ambiguous step,
///   credited 0 until resolved) or late (out of order on arrival, or after the period was frozen).
/// - 4: a measured parameter (option B or C) has no counted reading although the period has
///   readings: its total is a zero that measures nothing.
/// 4 outranks 3; 0 when neither applies. The output is complete whatever the status.
public struct PeriodFindings: Sendable, Equatable {
    public struct MeterCounts: Sendable, Equatable {
        public var meter: String
        public var parameter: String
        /// Readings whose time is in the period.
        public var readings: Int
        /// Steps credited to the period (not the first reading, not held).
        public var counted: Int
        public var held: Int
        public var excluded: Int
        public var late: Int
        public var lapsed: Int

        public init(
            meter: String, parameter: String, readings: Int, counted: Int, held: Int = 0, excluded: Int = 0,
            late: Int = 0, lapsed: Int = 0
        ) {
            self.meter = meter
            self.parameter = parameter
            self.readings = readings
            self.counted = counted
            self.held = held
            self.excluded = excluded
            self.late = late
            self.lapsed = lapsed
        }
    }

    public var warnings: [String]
    public var exitStatus: Int32

    public static func judge(meters: [MeterCounts], measuredParameters: [String], arrivedAfterFreeze: Int)
        -> PeriodFindings
    {
        var warnings: [String] = []
        var doubt = false
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        for m in meters {
            if m.held > 0 {
                warnings.append(
                    "meter \(m.meter): \(plural(m.held, "step")) held, credited 0 until resolved (`jcm-ingestd resolve`)"
                )
            }
            if m.excluded > 0 {
                warnings.append("meter \(m.meter): \(plural(m.excluded, "reading")) excluded by a correction")
            }
            if m.late > 0 {
                warnings.append(
                    "meter \(m.meter): \(plural(m.late, "reading")) arrived out of order; counted in time order")
            }
            if m.lapsed > 0 {
                warnings.append(
                    "meter \(m.meter): \(plural(m.lapsed, "interval")) outside calibration, deducted conservatively")
            }
            doubt = doubt || m.held > 0 || m.excluded > 0 || m.late > 0
        }
        if arrivedAfterFreeze > 0 {
            warnings.append(
                "\(plural(arrivedAfterFreeze, "reading")) of the period arrived after it was declared: kept, not part of it"
            )
            doubt = true
        }
        let anyReadings = meters.contains { $0.readings > 0 }
        var empty: [String] = []
        for p in measuredParameters
        where anyReadings && !meters.contains(where: { $0.parameter == p && $0.counted > 0 }) {
            warnings.append("parameter \(p): no counted reading in the period, although the period has readings")
            empty.append(p)
        }
        return PeriodFindings(warnings: warnings, exitStatus: !empty.isEmpty ? 4 : doubt ? 3 : 0)
    }
}
