extension Methodology {
    /// An equation's right-hand side. The language is deliberately tiny (numbers, names, four
    /// operators, min and max) so a methodology file can compute nothing but arithmetic: no
    /// loops, no calls out, bounded size (`ExpressionParser` limits).
    public indirect enum Expression: Sendable, Equatable {
        case number(ExactDecimal)
        /// A parameter or an equation above this one.
        case name(String)
        case negate(Expression)
        case binary(Operator, Expression, Expression)
        /// At least one argument.
        case call(Function, [Expression])

        public enum Operator: String, Sendable, Equatable {
            case add = "+"
            case subtract = "-"
            case multiply = "*"
            case divide = "/"
        }

        public enum Function: String, Sendable, Equatable, CaseIterable {
            case min, max
        }

        /// Every name the expression reads, in order of appearance.
        public var names: [String] {
            switch self {
            case .number: return []
            case .name(let n): return [n]
            case .negate(let e): return e.names
            case .binary(_, let a, let b): return a.names + b.names
            case .call(_, let args): return args.flatMap(\.names)
            }
        }
    }
}
