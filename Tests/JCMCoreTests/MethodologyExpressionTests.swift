import Testing

@testable import JCMCore

/// The expression language: grammar, precedence, limits, and errors located by column.
@Suite struct MethodologyExpressionTests {
    func value(_ text: String, _ values: [String: ExactDecimal] = [:]) throws -> String {
        try ExpressionParser.parse(text).evaluate(values, equation: "X").value.description
    }

    func syntaxError(_ text: String) -> ExpressionSyntaxError? {
        do {
            _ = try ExpressionParser.parse(text)
            return nil
        } catch { return error }
    }

    @Test func precedenceAndAssociativity() throws {
        #expect(try value("2 + 3 * 4") == "14")
        #expect(try value("(2 + 3) * 4") == "20")
        #expect(try value("10 - 4 - 3") == "3")
        #expect(try value("24 / 4 / 2") == "3")
        #expect(try value("-2 * 3 + 1") == "-5")
        #expect(try value("2 - -3") == "5")
        #expect(try value("-(2 - 5)") == "3")
        #expect(try value("min(3, 1, 2)") == "1")
        #expect(try value("max(1, min(5, 4)) * 2") == "8")
        #expect(
            try value(
                "EG_p*EF_grid", ["EG_p": ExactDecimal(parsing: "1.5")!, "EF_grid": ExactDecimal(parsing: "0.5")!])
                == "0.75")
    }

    @Test func syntaxErrorsNameTheColumn() {
        #expect(
            syntaxError("EG_p * + 2")
                == ExpressionSyntaxError(column: 8, message: "expected a number, a name or '(', found '+'"))
        #expect(
            syntaxError("(a + b") == ExpressionSyntaxError(column: 7, message: "expected ')', found end of expression"))
        #expect(syntaxError("a $ b") == ExpressionSyntaxError(column: 3, message: "unexpected '$'"))
        #expect(syntaxError("a b")?.column == 3)
        #expect(
            syntaxError("sqrt(2)")
                == ExpressionSyntaxError(column: 1, message: "unknown function sqrt (only min and max)"))
        #expect(syntaxError("1e5")?.column == 2)
        #expect(syntaxError("1.")?.column == 3)
        #expect(syntaxError("min(1 2)")?.column == 7)
        #expect(syntaxError("min()")?.column == 5)
        #expect(syntaxError("  ") == ExpressionSyntaxError(column: 3, message: "empty expression"))
        // Columns count characters, not bytes.
        #expect(syntaxError("1 × 2")?.column == 3)
    }

    @Test func sizeAndDepthAreBounded() {
        let deep = String(repeating: "(", count: 40) + "1" + String(repeating: ")", count: 40)
        #expect(syntaxError(deep)?.message == "nested more than 32 levels deep")
        #expect(syntaxError(String(repeating: "-", count: 40) + "1")?.message == "nested more than 32 levels deep")
        let shallow = String(repeating: "(", count: 20) + "1" + String(repeating: ")", count: 20)
        #expect(syntaxError(shallow) == nil)
        #expect(syntaxError(String(repeating: "1+", count: 500) + "1")?.message == "longer than 1000 characters")
    }

    @Test func evaluationErrorsNameTheEquation() {
        let big = try! ExpressionParser.parse("100000000000000000000 * 100000000000000000000")
        #expect(throws: EvaluationError(equation: "RE_p", reason: .overflow)) {
            try big.evaluate([:], equation: "RE_p")
        }
        let zero = try! ExpressionParser.parse("EC_PJ / COP_RE")
        let values = ["EC_PJ": ExactDecimal(parsing: "5")!, "COP_RE": ExactDecimal.zero]
        #expect(throws: EvaluationError(equation: "RE_p", reason: .divisionByZero)) {
            try zero.evaluate(values, equation: "RE_p")
        }
        #expect(throws: EvaluationError(equation: "PE_p", reason: .noValue("COP_RE"))) {
            try zero.evaluate(["EC_PJ": .zero], equation: "PE_p")
        }
        #expect(
            EvaluationError(equation: "RE_p", reason: .divisionByZero).description == "equation RE_p: division by zero")
    }

    @Test func inexactStepsAreReported() throws {
        let r = try ExpressionParser.parse("1 / 3 * 3").evaluate([:], equation: "X")
        #expect(r.value.description == "0.99999999999999999999")
        #expect(!r.exact)
        #expect(try ExpressionParser.parse("1 / 4 * 3").evaluate([:], equation: "X").exact)
    }
}
