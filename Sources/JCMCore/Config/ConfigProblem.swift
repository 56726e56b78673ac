/// One thing wrong in a configuration file, located by key path and line so that an operator
/// can fix every problem in one pass.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var line: Int
    public var message: String

    public init(key: String, line: Int, message: String) {
        self.key = key
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(key): \(message)" }
}

public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var problems: [ConfigProblem]

    public init(file: String, problems: [ConfigProblem]) {
        self.file = file
        self.problems = problems
    }

    public var description: String {
        problems.map { "\(file):\($0.line): \($0.key): \($0.message)" }.joined(separator: "\n")
    }
}
