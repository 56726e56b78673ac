/// A syntax error in an expression; `column` is 1-based and counts Unicode scalars, as the TOML
/// parser's columns do.
public struct ExpressionSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var column: Int
    public var message: String
    public var description: String { "column \(column): \(message)" }
}

/// Recursive descent over
///
///     expression := term (("+" | "-") term)*
///     term       := unary (("*" | "/") unary)*
///     unary      := "-" unary | primary
///     primary    := number | name | ("min" | "max") "(" expression ("," expression)* ")"
///                 | "(" expression ")"
///     number     := digits ["." digits]
///     name       := (letter | "_") (letter | digit | "_")*      ASCII only
///
/// Limits keep a hostile or broken file from exhausting the stack or the evaluator.
public struct ExpressionParser {
    public static let maxLength = 1_000
    public static let maxDepth = 32

    private let scalars: [Unicode.Scalar]
    private var i = 0
    private var depth = 0

    public static func parse(_ text: String) throws(ExpressionSyntaxError) -> Methodology.Expression {
        var p = ExpressionParser(Array(text.unicodeScalars))
        guard p.scalars.count <= maxLength else {
            throw ExpressionSyntaxError(column: maxLength + 1, message: "longer than \(maxLength) characters")
        }
        p.skipSpaces()
        guard p.peek != nil else { throw p.fail("empty expression") }
        let e = try p.expression()
        guard p.peek == nil else { throw p.fail("unexpected \(p.describeHere())") }
        return e
    }

    private init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    private var peek: Unicode.Scalar? { i < scalars.count ? scalars[i] : nil }

    private func fail(_ message: String, at column: Int? = nil) -> ExpressionSyntaxError {
        ExpressionSyntaxError(column: column ?? i + 1, message: message)
    }

    private func describeHere() -> String {
        guard let c = peek else { return "end of expression" }
        return "'\(c)'"
    }

    private mutating func skipSpaces() {
        while let c = peek, c == " " || c == "\t" { i += 1 }
    }

    private mutating func take(_ c: Unicode.Scalar) -> Bool {
        guard peek == c else { return false }
        i += 1
        skipSpaces()
        return true
    }

    private mutating func expression() throws(ExpressionSyntaxError) -> Methodology.Expression {
        var left = try term()
        while let c = peek, c == "+" || c == "-" {
            _ = take(c)
            left = .binary(c == "+" ? .add : .subtract, left, try term())
        }
        return left
    }

    private mutating func term() throws(ExpressionSyntaxError) -> Methodology.Expression {
        var left = try unary()
        while let c = peek, c == "*" || c == "/" {
            _ = take(c)
            left = .binary(c == "*" ? .multiply : .divide, left, try unary())
        }
        return left
    }

    private mutating func unary() throws(ExpressionSyntaxError) -> Methodology.Expression {
        try nested { (p: inout ExpressionParser) throws(ExpressionSyntaxError) in
            p.take("-") ? .negate(try p.unary()) : try p.primary()
        }
    }

    private mutating func nested(
        _ body: (inout ExpressionParser) throws(ExpressionSyntaxError) -> Methodology.Expression
    ) throws(ExpressionSyntaxError) -> Methodology.Expression {
        guard depth < Self.maxDepth else { throw fail("nested more than \(Self.maxDepth) levels deep") }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }

    private mutating func primary() throws(ExpressionSyntaxError) -> Methodology.Expression {
        guard let c = peek else { throw fail("expected a number, a name or '(', found end of expression") }
        if c == "(" {
            _ = take("(")
            let e = try expression()
            guard take(")") else { throw fail("expected ')', found \(describeHere())") }
            return e
        }
        if Self.isDigit(c) { return try number() }
        if Self.isNameStart(c) { return try nameOrCall() }
        throw fail("expected a number, a name or '(', found \(describeHere())")
    }

    private mutating func number() throws(ExpressionSyntaxError) -> Methodology.Expression {
        let start = i
        while let c = peek, Self.isDigit(c) { i += 1 }
        if peek == "." {
            i += 1
            guard let c = peek, Self.isDigit(c) else { throw fail("expected a digit after '.'") }
            while let c = peek, Self.isDigit(c) { i += 1 }
        }
        if let c = peek, Self.isNameStart(c) {
            throw fail("unexpected \(describeHere()) after a number (no exponents or units in expressions)")
        }
        let text = String(String.UnicodeScalarView(scalars[start..<i]))
        skipSpaces()
        guard let value = ExactDecimal(parsing: text) else {
            throw fail("\(text) has more than 38 digits or 30 after the point", at: start + 1)
        }
        return .number(value)
    }

    private mutating func nameOrCall() throws(ExpressionSyntaxError) -> Methodology.Expression {
        let start = i
        while let c = peek, Self.isNameStart(c) || Self.isDigit(c) { i += 1 }
        let name = String(String.UnicodeScalarView(scalars[start..<i]))
        skipSpaces()
        guard peek == "(" else { return .name(name) }
        guard let function = Methodology.Expression.Function(rawValue: name) else {
            throw fail("unknown function \(name) (only min and max)", at: start + 1)
        }
        return try nested { (p: inout ExpressionParser) throws(ExpressionSyntaxError) in
            _ = p.take("(")
            var args = [try p.expression()]
            while p.take(",") { args.append(try p.expression()) }
            guard p.take(")") else { throw p.fail("expected ',' or ')', found \(p.describeHere())") }
            return .call(function, args)
        }
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }

    static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        (c.value >= 65 && c.value <= 90) || (c.value >= 97 && c.value <= 122) || c == "_"
    }

    /// Whether `id` can be written as a name in an expression (parameter and equation ids).
    public static func isName(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, isNameStart(first) else { return false }
        return id.unicodeScalars.allSatisfy { isNameStart($0) || isDigit($0) }
            && Methodology.Expression.Function(rawValue: id) == nil
    }
}
