/// Why a period could not be calculated. Each names the parameter and, where one is at fault,
/// the meter: the calculation refuses to guess rather than print a number a verifier would reject.
public enum PeriodCalculationError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingValue(parameter: String)
    /// A fixed value or a meter input for a name that is no such parameter of the methodology.
    case unknownParameter(String, expected: String)
    case noMeters(parameter: String)
    /// Readings past calibration but no maximum permissible error to deduct.
    case lapseWithoutPermissibleError(parameter: String, meter: String)
    /// Missing intervals of a parameter that lowers reductions, and no interval to default them from.
    case gapWithoutLargestInterval(parameter: String, meter: String)
    case notSummable(parameter: String, meter: String)
    case negativeMissingIntervals(parameter: String, meter: String)
    case overflow(parameter: String)
    case evaluation(EvaluationError)

    public var description: String {
        switch self {
        case .missingValue(let p): "no fixed value for option A parameter \(p)"
        case .unknownParameter(let p, let expected): "\(p) is not \(expected) of the methodology"
        case .noMeters(let p): "no meter inputs for measured parameter \(p)"
        case .lapseWithoutPermissibleError(let p, let m):
            "meter \(m) (\(p)) has readings past calibration but no maximum permissible error to deduct"
        case .gapWithoutLargestInterval(let p, let m):
            "meter \(m) (\(p)) has missing intervals to default and no interval value to default them from"
        case .notSummable(let p, let m): "meter \(m) (\(p)) is instantaneous: its values cannot be summed over a period"
        case .negativeMissingIntervals(let p, let m): "meter \(m) (\(p)): missing intervals cannot be negative"
        case .overflow(let p): "parameter \(p): the total exceeds 38 significant digits"
        case .evaluation(let e): e.description
        }
    }
}
