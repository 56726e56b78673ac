import Foundation

extension Config {
    /// One label matcher of a Prometheus series selector, as PromQL writes them: `=`, `!=`, `=~`
    /// and `!~`, a regular expression matching the whole value. A label the series does not carry
    /// counts as the empty string, as in PromQL.
    public struct LabelMatcher: Sendable, Equatable, CustomStringConvertible {
        public enum Operator: String, Sendable, CaseIterable {
            case equal = "="
            case notEqual = "!="
            case matches = "=~"
            case notMatches = "!~"
        }

        public let label: String
        public let op: Operator
        public let value: String
        /// Compiled once: a meter's selector is applied to every poll.
        private let regex: NSRegularExpression?

        /// Nil when a regular expression does not compile.
        public init?(label: String, op: Operator = .equal, value: String) {
            self.label = label
            self.op = op
            self.value = value
            switch op {
            case .equal, .notEqual: regex = nil
            case .matches, .notMatches:
                // \A and \z: ICU's $ also matches before a final newline.
                guard let r = try? NSRegularExpression(pattern: "\\A(?:" + value + ")\\z") else { return nil }
                regex = r
            }
        }

        public func holds(for labels: [String: String]) -> Bool {
            let v = labels[label] ?? ""
            switch op {
            case .equal: return v == value
            case .notEqual: return v != value
            case .matches, .notMatches:
                let found = regex?.firstMatch(in: v, range: NSRange(v.startIndex..., in: v)) != nil
                return found == (op == .matches)
            }
        }

        public var description: String {
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "\"", with: "\\\""
            )
            .replacingOccurrences(of: "\n", with: "\\n")
            return label + op.rawValue + "\"" + escaped + "\""
        }

        public static func == (a: LabelMatcher, b: LabelMatcher) -> Bool {
            a.label == b.label && a.op == b.op && a.value == b.value
        }
    }
}

extension Config.PrometheusSelector {
    public struct Problem: Error, Equatable {
        public var why: String
    }

    /// A PromQL series selector: `metric{label="v", other!~"re"}`, or what is wrong with it.
    public static func parse(_ text: String) -> Result<(metric: String, matchers: [Config.LabelMatcher]), Problem> {
        var rest = Substring(text).drop { $0 == " " }
        let metric = PrometheusTextDecoder.name(&rest)
        guard !metric.isEmpty else {
            return .failure(Problem(why: "it must start with the metric name, as in gw_energy_wh_total{ch=\"1\"}"))
        }
        var matchers: [Config.LabelMatcher] = []
        rest = rest.drop { $0 == " " }
        if rest.first == "{" {
            guard let pairs = PrometheusTextDecoder.labels(&rest, operators: true) else {
                return .failure(
                    Problem(
                        why:
                            "the label matchers are not name, operator (=, !=, =~, !~) and quoted value (escapes \\\\, \\\" and \\n), separated by commas, in braces"
                    ))
            }
            for (label, op, value) in pairs {
                guard
                    let m = Config.LabelMatcher(
                        label: label, op: Config.LabelMatcher.Operator(rawValue: op) ?? .equal, value: value)
                else {
                    return .failure(Problem(why: "label \(label): \"\(value)\" is not a valid regular expression"))
                }
                matchers.append(m)
            }
        }
        rest = rest.drop { $0 == " " }
        guard rest.isEmpty else {
            return .failure(Problem(why: "unexpected \"\(rest.prefix(20))\" after the selector"))
        }
        return .success((metric, matchers))
    }
}
