/// Why an equation could not be computed. Always names the equation: a verifier must see which
/// line of the methodology failed, and the daemon must never trap on a file's arithmetic.
public struct EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case overflow
        case divisionByZero
        /// A name with no value: the caller left out a parameter (load-time checks rule out
        /// names the methodology does not define).
        case noValue(String)
    }

    public var equation: String
    public var reason: Reason

    public init(equation: String, reason: Reason) {
        self.equation = equation
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .overflow: "equation \(equation): the value exceeds 38 significant digits"
        case .divisionByZero: "equation \(equation): division by zero"
        case .noValue(let name): "equation \(equation): no value for \(name)"
        }
    }
}

extension Methodology.Expression {
    /// Exact decimal evaluation (ExactDecimal+Arithmetic.swift states the rounding rule for
    /// the rare result that does not fit); `exact` is false when any step was rounded.
    public func evaluate(_ values: [String: ExactDecimal], equation: String) throws(EvaluationError) -> (
        value: ExactDecimal, exact: Bool
    ) {
        func fail(_ reason: EvaluationError.Reason) -> EvaluationError {
            EvaluationError(equation: equation, reason: reason)
        }
        switch self {
        case .number(let v):
            return (v, true)
        case .name(let n):
            guard let v = values[n] else { throw fail(.noValue(n)) }
            return (v, true)
        case .negate(let e):
            let x = try e.evaluate(values, equation: equation)
            guard let v = ExactDecimal.zero - x.value else { throw fail(.overflow) }
            return (v, x.exact)
        case .binary(let op, let a, let b):
            let x = try a.evaluate(values, equation: equation)
            let y = try b.evaluate(values, equation: equation)
            let r: (value: ExactDecimal, exact: Bool)?
            switch op {
            case .add: r = x.value.adding(y.value)
            case .subtract: r = x.value.subtracting(y.value)
            case .multiply: r = x.value.multiplied(by: y.value)
            case .divide:
                if y.value == .zero { throw fail(.divisionByZero) }
                r = x.value.divided(by: y.value)
            }
            guard let r else { throw fail(.overflow) }
            return (r.value, r.exact && x.exact && y.exact)
        case .call(let function, let args):
            var best: (value: ExactDecimal, exact: Bool)?
            for arg in args {
                let x = try arg.evaluate(values, equation: equation)
                guard let current = best else {
                    best = x
                    continue
                }
                let better = function == .min ? x.value < current.value : current.value < x.value
                if better { best = x }
            }
            // The parser never builds a call without arguments.
            return best ?? (.zero, true)
        }
    }
}
