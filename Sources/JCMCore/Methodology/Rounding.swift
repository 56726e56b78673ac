extension Methodology {
    /// How the result equation is rounded before it becomes credits.
    ///
    /// Directions are on the number line, not toward zero: "down" is toward −∞, so a negative
    /// emission reduction (the project emitted more than the reference) rounds to the larger
    /// loss, which is the conservative reading; "up" is toward +∞.
    public struct Rounding: Sendable, Equatable, CustomStringConvertible {
        public enum Mode: String, Sendable, Equatable, CaseIterable {
            /// Toward −∞ (floor). The default: never rounds reductions up.
            case down
            /// To the nearest, ties to even (as unit conversions round).
            case nearest
            /// Toward +∞ (ceiling).
            case up
        }

        public var mode: Mode
        /// Digits kept after the point: 0 = whole tCO2.
        public var scale: Int

        public init(mode: Mode = .down, scale: Int = 0) {
            precondition(scale >= 0 && scale <= ExactDecimal.maxScale)
            self.mode = mode
            self.scale = scale
        }

        public var description: String { "\(mode.rawValue) to \(scale) decimal\(scale == 1 ? "" : "s")" }

        /// Cannot trap: |significand / 10^k| with k ≥ 1 leaves room for the unit it may gain.
        public func apply(_ value: ExactDecimal) -> ExactDecimal {
            guard value.scale > scale else { return value }
            let divisor = ExactDecimal.pow10(value.scale - scale)
            var q = value.significand / divisor  // toward zero
            let r = value.significand % divisor  // carries the value's sign
            if r != 0 {
                switch mode {
                case .down: if r < 0 { q -= 1 }
                case .up: if r > 0 { q += 1 }
                case .nearest:
                    let twice = r.magnitude * 2
                    if twice > divisor.magnitude || (twice == divisor.magnitude && q % 2 != 0) {
                        q += r < 0 ? -1 : 1
                    }
                }
            }
            return ExactDecimal(significand: q, scale: scale)
        }
    }
}
