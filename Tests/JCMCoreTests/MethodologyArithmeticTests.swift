import Testing

@testable import JCMCore

/// ExactDecimal × and ÷ as the evaluator uses them: exact whenever the result fits, else cut
/// toward zero at 20 digits after the point and marked inexact; overflow is nil, never a trap.
@Suite struct MethodologyArithmeticTests {
    func d(_ text: String) -> ExactDecimal { ExactDecimal(parsing: text)! }

    @Test func terminatingQuotientsAreExact() throws {
        let eighth = try #require(d("1").divided(by: d("8")))
        #expect(eighth.value.description == "0.125" && eighth.exact)
        let forty = try #require(d("10").divided(by: d("0.25")))
        #expect(forty.value.description == "40" && forty.exact)
        let small = try #require(d("1").divided(by: d("1024")))
        #expect(small.value.description == "0.0009765625" && small.exact)
        let shifted = try #require(d("0.000000000000000000000000000003").divided(by: d("3000")))
        #expect(shifted.value == .zero && shifted.value.scale == 20)
        #expect(!shifted.exact)
    }

    @Test func nonTerminatingQuotientsAreCutTowardZeroAt20Digits() throws {
        let third = try #require(d("1").divided(by: d("3")))
        #expect(third.value.description == "0.33333333333333333333")
        #expect(!third.exact)
        // Toward zero, not to nearest: ...666, not ...667; the same for a negative quotient.
        #expect(d("2").divided(by: d("3"))?.value.description == "0.66666666666666666666")
        #expect(d("-2").divided(by: d("3"))?.value.description == "-0.66666666666666666666")
        #expect(d("1").divided(by: d("0.0000000003"))?.value.description == "3333333333.33333333333333333333")
        #expect(d("6.1").divided(by: d("4.2"))?.value.description == "1.45238095238095238095")
    }

    @Test func divisionOverflowAndZeroAreNil() {
        #expect(d("10000000000000000000000000000000000000").divided(by: d("0.01")) == nil)
        #expect(d("1").divided(by: ExactDecimal.zero) == nil)
    }

    @Test func productsAreExactWhenTheyFit() throws {
        let p = try #require(d("1333.8178").multiplied(by: d("0.533")))
        #expect(p.value.description == "710.9248874" && p.exact)
        let n = try #require(d("-1.5").multiplied(by: d("2.5")))
        #expect(n.value.description == "-3.75" && n.exact)
        // 32 digits after the point, the last two zeros: dropping them to fit 30 loses nothing.
        let z = try #require(d("0.000000000000000000000000000010").multiplied(by: d("0.10")))
        #expect(z.exact && z.value == d("0.000000000000000000000000000001"))
    }

    @Test func productsWithTooManyDigitsAreCutAt20() throws {
        let p = try #require(d("1.00000000000000000001").multiplied(by: d("1.00000000000000000001")))
        #expect(p.value.description == "1.00000000000000000002")
        #expect(!p.exact)
        let tiny = try #require(
            d("0.000000000000000000000000000001").multiplied(by: d("0.000000000000000000000000000001")))
        #expect(tiny.value == .zero && !tiny.exact)
        #expect(
            d("-1.00000000000000000001").multiplied(by: d("1.00000000000000000001"))?.value.description
                == "-1.00000000000000000002")
    }

    @Test func productOverflowIsNil() {
        #expect(d("100000000000000000000").multiplied(by: d("100000000000000000000")) == nil)
        #expect(ExactDecimal(significand: .max, scale: 0).multiplied(by: d("2")) == nil)
    }

    @Test func sumsFallBackTo20DigitsBeforeOverflowing() throws {
        // Aligning 30 fractional digits with 20 integer digits overflows 38; at 20 digits it fits.
        let s = try #require(d("12345678901234567890").adding(d("0.000000000000000000000000000001")))
        #expect(s.value == d("12345678901234567890") && !s.exact)
        #expect(ExactDecimal(significand: .max, scale: 0).adding(d("1")) == nil)
    }
}
