/// A JSON syntax error with the 1-based position of the offending byte.
///
/// `line` counts line feeds (`\n`; a `\r\n` pair is one line break). `column` counts Unicode scalars from
/// the start of the line, so a multi-byte UTF-8 character counts once, as in most editors.
/// At the end of input the position is just past the last byte.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line L, column C: message`
    public var description: String { "line \(line), column \(column): \(message)" }
}
