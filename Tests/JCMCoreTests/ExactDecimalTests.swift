import Testing

@testable import JCMCore

private func dec(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ExactDecimal {
    try #require(ExactDecimal(parsing: text), "\"\(text)\" should parse", sourceLocation: sourceLocation)
}

/// One accepted literal: what it parses to, and how it prints back.
struct DecimalCase: Sendable, CustomTestStringConvertible {
    var text: String
    var significand: Int128
    var scale: Int
    var description: String
    var testDescription: String { "\"\(text)\"" }
}

@Suite struct ExactDecimalParsingTests {
    static let valid: [DecimalCase] = [
        .init(text: "12345.678", significand: 12_345_678, scale: 3, description: "12345.678"),
        .init(text: "-0.5", significand: -5, scale: 1, description: "-0.5"),
        .init(text: "1e3", significand: 1000, scale: 0, description: "1000"),
        .init(text: "1.5E-2", significand: 15, scale: 3, description: "0.015"),
        .init(text: "+7", significand: 7, scale: 0, description: "7"),
        .init(text: "0", significand: 0, scale: 0, description: "0"),
        .init(text: "-0", significand: 0, scale: 0, description: "0"),
        .init(text: "1.50", significand: 150, scale: 2, description: "1.50"),
        .init(text: "0.000", significand: 0, scale: 3, description: "0.000"),
        .init(text: "1.500e1", significand: 1500, scale: 2, description: "15.00"),
        .init(text: "-1.5e+2", significand: -150, scale: 0, description: "-150"),
        .init(text: "2.5e0", significand: 25, scale: 1, description: "2.5"),
        .init(text: "00012", significand: 12, scale: 0, description: "12"),
        .init(
            text: "1e25", significand: 10_000_000_000_000_000_000_000_000, scale: 0,
            description: "10000000000000000000000000"),
        .init(text: "1e-30", significand: 1, scale: 30, description: "0.000000000000000000000000000001"),
        .init(text: "123e-5", significand: 123, scale: 5, description: "0.00123"),
        // 38 significant digits is the documented limit.
        .init(
            text: String(repeating: "9", count: 38),
            significand: Int128(String(repeating: "9", count: 38))!, scale: 0,
            description: String(repeating: "9", count: 38)),
        .init(
            text: "-" + String(repeating: "9", count: 20) + "." + String(repeating: "9", count: 18),
            significand: -Int128(String(repeating: "9", count: 38))!, scale: 18,
            description: "-" + String(repeating: "9", count: 20) + "." + String(repeating: "9", count: 18)),
        // Leading zeros are not significant digits.
        .init(text: String(repeating: "0", count: 45) + "1", significand: 1, scale: 0, description: "1"),
    ]

    @Test(arguments: valid)
    func parses(_ c: DecimalCase) throws {
        let d = try dec(c.text)
        #expect(d.significand == c.significand)
        #expect(d.scale == c.scale)
        #expect(d.description == c.description)
    }

    @Test(arguments: [
        "", " 1", "1 ", "1,5", "NaN", "nan", "inf", "-inf", "Infinity", "1.2.3", "e5", "E5", "1e", "1e+", "1e-",
        "-", "+", "--1", "+-1", ".", "0x10", "1_000", "1e5.5", "12a", "١٢",
        // 39 significant digits
        "1" + String(repeating: "0", count: 38),
        String(repeating: "9", count: 39),
        "-" + String(repeating: "1", count: 39),
        String(repeating: "1", count: 20) + "." + String(repeating: "1", count: 19),
        // More than maxScale (30) fractional digits that are not trailing zeros
        "0." + String(repeating: "0", count: 30) + "1",
        "1e-31",
        // Exponent too large to represent
        "1e999", "1e1000000",
    ])
    func rejects(_ text: String) {
        #expect(ExactDecimal(parsing: text) == nil)
    }

    @Test func trailingZerosBeyondMaxScaleAreDroppedNotRefused() throws {
        // 31 fractional zeros: representable exactly at scale 30.
        let d = try dec("1." + String(repeating: "0", count: 31))
        #expect(d.scale == ExactDecimal.maxScale)
        #expect(d == ExactDecimal(significand: 1, scale: 0))
    }

    @Test func parsesFromSubstringAndBuffer() throws {
        let line = "M1,12.50,kWh"
        let field = line.split(separator: ",")[1]
        #expect(ExactDecimal(parsing: field)?.description == "12.50")
        let bytes = Array("-3.25".utf8)
        let viaBuffer = bytes.withUnsafeBufferPointer { ExactDecimal(utf8: $0) }
        #expect(viaBuffer?.description == "-3.25")
    }
}

@Suite struct ExactDecimalDescriptionTests {
    @Test(arguments: [
        (Int128(5), 3, "0.005"),
        (Int128(-5), 3, "-0.005"),
        (Int128(0), 2, "0.00"),
        (Int128(100), 0, "100"),
        (Int128(120), 1, "12.0"),
        (Int128(123), 3, "0.123"),
        (Int128(-1234), 2, "-12.34"),
        (Int128(1), 30, "0.000000000000000000000000000001"),
        (Int128.max, 0, "170141183460469231731687303715884105727"),
        (Int128.min + 1, 10, "-17014118346046923173168730371.5884105727"),
    ])
    func printsPlainDecimal(significand: Int128, scale: Int, expected: String) {
        let text = ExactDecimal(significand: significand, scale: scale).description
        #expect(text == expected)
        #expect(!text.contains("e") && !text.contains("E"))
    }

    @Test(arguments: ["1e20", "1E-20", "5e37", "-7.5e-29", "123456789e10"])
    func neverUsesAnExponent(_ text: String) throws {
        let printed = try dec(text).description
        #expect(!printed.contains("e") && !printed.contains("E"))
        // Printing then parsing gives the same value and scale back.
        let again = try dec(printed)
        #expect(again.significand == (try dec(text)).significand)
        #expect(again.scale == (try dec(text)).scale)
    }

    @Test func normalizedDropsOnlyFractionalTrailingZeros() throws {
        #expect(try dec("12.3400").normalized.description == "12.34")
        #expect(try dec("1200").normalized.description == "1200")
        #expect(try dec("0.000").normalized.description == "0")
        #expect(try dec("-5.0").normalized.description == "-5")
    }
}

@Suite struct ExactDecimalArithmeticTests {
    @Test func shiftedLeftAndRight() throws {
        let x = try dec("1.5")
        #expect(x.shifted(by: 2)?.description == "150")
        #expect(x.shifted(by: 1)?.description == "15")
        #expect(x.shifted(by: 0)?.description == "1.5")
        #expect(x.shifted(by: -2)?.description == "0.015")
        #expect(try dec("12.34").shifted(by: 1)?.description == "123.4")
        #expect(try dec("-7").shifted(by: -3)?.description == "-0.007")
    }

    @Test func shiftedReducesTrailingZerosToFitMaxScale() {
        let x = ExactDecimal(significand: 1000, scale: 30)
        let y = x.shifted(by: -2)
        #expect(y?.significand == 10)
        #expect(y?.scale == 30)
        // Zero simply stays zero at the largest scale.
        let z = ExactDecimal.zero.shifted(by: -40)
        #expect(z?.significand == 0)
        #expect(z?.scale == 30)
    }

    @Test func shiftedFailsWhenItCannotBeExact() {
        #expect(ExactDecimal(significand: 1, scale: 30).shifted(by: -1) == nil)
        #expect(ExactDecimal(significand: Int128.max / 2, scale: 0).shifted(by: 1) == nil)
        #expect(ExactDecimal(significand: Int128.max / 2, scale: 1).shifted(by: 1) != nil)
    }

    @Test func multiplied() throws {
        #expect(try dec("1.25").multiplied(by: 3_600)?.description == "4500.00")
        #expect(ExactDecimal(significand: Int128.max, scale: 0).multiplied(by: 2) == nil)
    }

    @Test(arguments: [
        ("1", Int128(4), "0.25"),
        ("10", Int128(4), "2.5"),
        ("6", Int128(3), "2"),
        ("1.50", Int128(3), "0.50"),
        ("-9", Int128(8), "-1.125"),
        ("3600", Int128(3600), "1"),
    ])
    func dividedExactly(_ text: String, divisor: Int128, expected: String) throws {
        let result = try #require(try dec(text).divided(by: divisor))
        #expect(result.exact)
        #expect(result.value.description == expected)
    }

    @Test(arguments: [
        ("1", Int128(3), "0.333333333333333333333333333333"),
        ("2", Int128(3), "0.666666666666666666666666666667"),
        ("-2", Int128(3), "-0.666666666666666666666666666667"),
        ("1", Int128(3600), "0.000277777777777777777777777778"),
        ("1", Int128(7), "0.142857142857142857142857142857"),
    ])
    func dividedRoundedAtMaxScale(_ text: String, divisor: Int128, expected: String) throws {
        let result = try #require(try dec(text).divided(by: divisor))
        #expect(!result.exact)
        #expect(result.value.scale == ExactDecimal.maxScale)
        #expect(result.value.description == expected)
    }

    /// Ties at the 30th digit go to the even neighbour, in both signs.
    @Test(arguments: [
        (Int128(1), Int128(0)),  // 0.5 -> 0
        (Int128(3), Int128(2)),  // 1.5 -> 2
        (Int128(5), Int128(2)),  // 2.5 -> 2
        (Int128(7), Int128(4)),  // 3.5 -> 4
        (Int128(-3), Int128(-2)),  // -1.5 -> -2
        (Int128(-5), Int128(-2)),  // -2.5 -> -2
    ])
    func dividedRoundsHalfToEven(significand: Int128, expected: Int128) throws {
        let result = try #require(ExactDecimal(significand: significand, scale: 30).divided(by: 2))
        #expect(!result.exact)
        #expect(result.value.significand == expected)
        #expect(result.value.scale == 30)
    }

    @Test(arguments: [
        ("1.5", "0.25", "1.25", 2),
        ("1", "1.000", "0.000", 3),
        ("-2", "3.5", "-5.5", 1),
        ("100.01", "100", "0.01", 2),
        ("0", "0.1", "-0.1", 1),
    ])
    func subtraction(_ a: String, _ b: String, expected: String, scale: Int) throws {
        let d = try #require(try dec(a) - dec(b))
        #expect(d.description == expected)
        #expect(d.scale == scale)
    }

    @Test func subtractionOverflowIsNil() throws {
        let big = ExactDecimal(significand: Int128.max, scale: 0)
        #expect(big - ExactDecimal(significand: -1, scale: 0) == nil)
        // Bringing a 38-digit integer to scale 2 overflows.
        #expect(try dec(String(repeating: "9", count: 38)) - dec("0.01") == nil)
    }
}

@Suite struct ExactDecimalComparisonTests {
    @Test(arguments: [
        ("1.0", "1.00"), ("1", "1.000"), ("0", "-0.00"), ("-2.50", "-2.5"), ("1e3", "1000.0"), ("0.0150", "1.5e-2"),
    ])
    func equalAcrossScales(_ a: String, _ b: String) throws {
        let x = try dec(a)
        let y = try dec(b)
        #expect(x == y)
        #expect(!(x < y) && !(y < x))
        #expect(x.hashValue == y.hashValue)
        #expect(Set([x, y]).count == 1)
    }

    @Test(arguments: [
        ("1.49", "1.5"), ("-1", "0.5"), ("-0.10", "-0.09"),
        ("0.000000000000000000000000000001", "0.00000000000000000000000000001"),
        ("99999999999999999999999999999999999998", "99999999999999999999999999999999999999"),
        ("12345.678", "12345.6781"),
    ])
    func strictlyLess(_ a: String, _ b: String) throws {
        let x = try dec(a)
        let y = try dec(b)
        #expect(x < y)
        #expect(!(y < x))
        #expect(x != y)
        #expect(y > x)
    }

    @Test func sortsNumericallyNotTextually() throws {
        let values = try ["10", "9.5", "-1", "0.25", "100", "-1.5", "9.50"].map { try dec($0) }
        #expect(values.sorted().map(\.description) == ["-1.5", "-1", "0.25", "9.5", "9.50", "10", "100"])
    }

    /// Near the top of Int128 the two values cannot both be brought to scale 2; the ordering must still be
    /// total. a = 1701411834604692317316873037158841057.3, b = 1701411834604692317316873037158841057.27.
    @Test func comparisonStaysTotalWhenRescalingOverflows() {
        let a = ExactDecimal(significand: 17_014_118_346_046_923_173_168_730_371_588_410_573, scale: 1)
        let b = ExactDecimal(significand: Int128.max, scale: 2)
        #expect(a != b)
        #expect(b < a)
        #expect(!(a < b))
    }
}
