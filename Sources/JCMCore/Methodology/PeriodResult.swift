/// The calculation of one monitoring period as a verifier reads it: every input, every
/// correction with its reason, every equation's exact value, and the rounded result.
///
/// Each line type has `fields`: (name, value) pairs in a fixed order with stable snake_case
/// names, so text, CSV and JSON printers share one vocabulary.
public struct PeriodResult: Sendable, Equatable {
    public var methodology: String
    public var methodologyVersion: String
    public var methodologyFile: String
    public var parameters: [ParameterLine]
    public var corrections: [CorrectionLine]
    public var equations: [EquationLine]
    /// The id of the result equation (emission reductions).
    public var result: String
    public var unrounded: ExactDecimal
    public var rounded: ExactDecimal
    public var rounding: Methodology.Rounding
    /// False when some step was rounded by the arithmetic rule (a non-terminating quotient).
    public var exact: Bool
    public var notes: [Note]

    /// The methodology's version is the report's `methodology_version`, said once there.
    public var fields: Fields {
        [
            ("methodology", .text(methodology)), ("methodology_file", .text(methodologyFile)),
            ("result", .text(result)), ("unrounded", .decimal(unrounded)), ("rounded", .decimal(rounded)),
            ("rounding", .text(rounding.mode.rawValue)), ("rounding_scale", .integer(rounding.scale)),
            ("exact", .boolean(exact)),
        ]
    }

    public struct ParameterLine: Sendable, Equatable {
        public var parameter: String
        public var unit: String
        public var option: Config.MonitoringOption
        public var effect: Methodology.Effect
        /// Number of meters summed; 0 for a fixed (option A) value.
        public var meters: Int
        /// The fixed value, or the sum of the meters' measured values.
        public var measured: ExactDecimal
        /// Sum of this parameter's correction amounts (signed).
        public var corrections: ExactDecimal
        /// `measured + corrections`: what the equations read.
        public var adjusted: ExactDecimal

        public var fields: Fields {
            [
                ("parameter", .text(parameter)), ("unit", .text(unit)), ("option", .text(option.rawValue)),
                ("effect", .text(effect.rawValue)),
                ("meters", .integer(meters)), ("measured", .decimal(measured)), ("corrections", .decimal(corrections)),
                ("adjusted", .decimal(adjusted)),
            ]
        }
    }

    public enum CorrectionReason: String, Sendable, Equatable {
        /// Data from a meter past its calibration: its maximum permissible error, against reductions.
        case calibrationLapse = "calibration_lapse"
        /// Missing intervals of a parameter that lowers reductions, filled with the largest interval.
        case gapDefault = "gap_default"
    }

    public struct CorrectionLine: Sendable, Equatable {
        public var parameter: String
        public var meter: String
        public var reason: CorrectionReason
        /// What it was computed from: the lapsed quantity, or the largest interval.
        public var basis: ExactDecimal
        /// The MPE in percent, or the number of missing intervals.
        public var factor: ExactDecimal
        /// Added to the parameter's total (negative: deducted).
        public var amount: ExactDecimal
        public var why: String

        public var fields: Fields {
            [
                ("parameter", .text(parameter)), ("meter", .text(meter)), ("reason", .text(reason.rawValue)),
                ("basis", .decimal(basis)),
                ("factor", .decimal(factor)), ("amount", .decimal(amount)), ("why", .text(why)),
            ]
        }
    }

    public struct EquationLine: Sendable, Equatable {
        public var equation: String
        public var expression: String
        public var unit: String?
        public var value: ExactDecimal
        public var exact: Bool

        public var fields: Fields {
            [
                ("equation", .text(equation)), ("expression", .text(expression)), ("unit", .text(unit)),
                ("value", .decimal(value)),
                ("exact", .boolean(exact)),
            ]
        }
    }

    public enum NoteKind: String, Sendable, Equatable {
        /// Missing intervals left out (nothing filled): filling them would raise reductions.
        case excluded
        /// Missing intervals filled conservatively (a correction line says with what).
        case defaulted
        /// A counter's gap: the next delta already spans it, nothing to fill.
        case bridged
        /// A calibration-lapse correction (a correction line gives the amount).
        case correction
        /// Steps held out of the total until an operator resolves them (listed in `steps`).
        case held
        /// Rollovers and resets credited by rule, without a capacity to check them against.
        case credited
    }

    public struct Note: Sendable, Equatable {
        public var kind: NoteKind
        public var parameter: String
        public var meter: String
        /// Missing intervals concerned, when the note is about a gap.
        public var intervals: Int?
        public var text: String

        public var fields: Fields {
            [
                ("kind", .text(kind.rawValue)), ("parameter", .text(parameter)), ("meter", .text(meter)),
                ("intervals", intervals.map { .integer($0) } ?? .null), ("text", .text(text)),
            ]
        }
    }
}
