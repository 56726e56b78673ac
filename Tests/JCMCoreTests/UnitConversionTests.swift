import Testing

@testable import JCMCore

private func unit(_ symbol: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> MeasurementUnit {
    try #require(MeasurementUnit.named(symbol), "unit \(symbol) should be known", sourceLocation: sourceLocation)
}

private func convert(_ value: String, _ from: String, _ to: String) throws -> (value: ExactDecimal, exact: Bool) {
    let v = try #require(ExactDecimal(parsing: value))
    return try v.converted(from: unit(from), to: unit(to))
}

/// value in `from` → expected text in `to`, and whether it was exact.
struct ConversionCase: Sendable, CustomTestStringConvertible {
    var value: String
    var from: String
    var to: String
    var expected: String
    var exact: Bool = true
    var testDescription: String { "\(value) \(from) → \(to)" }
}

@Suite struct UnitConversionTests {
    static let cases: [ConversionCase] = [
        // Energy
        .init(value: "1500", from: "Wh", to: "kWh", expected: "1.5"),
        .init(value: "1", from: "Wh", to: "kWh", expected: "0.001"),
        .init(value: "12345.678", from: "Wh", to: "kWh", expected: "12.345678"),
        .init(value: "1234.5", from: "kWh", to: "MWh", expected: "1.2345"),
        .init(value: "1.5", from: "MWh", to: "kWh", expected: "1500"),
        .init(value: "2", from: "GWh", to: "MWh", expected: "2000"),
        .init(value: "1", from: "kWh", to: "J", expected: "3600000"),
        .init(value: "1", from: "kWh", to: "MJ", expected: "3.6"),
        .init(value: "3600", from: "J", to: "Wh", expected: "1"),
        .init(value: "7.2", from: "GJ", to: "MWh", expected: "2"),
        .init(value: "1", from: "J", to: "Wh", expected: "0.000277777777777777777777777778", exact: false),
        .init(value: "1000", from: "J", to: "Wh", expected: "0.277777777777777777777777777778", exact: false),
        .init(value: "-1", from: "kJ", to: "Wh", expected: "-0.277777777777777777777777777778", exact: false),
        // Watt-minutes (Shelly Gen1 plugs): exact into J and Wh when whole watt-hours; a third of
        // 60 is not a terminating decimal, so most values into the Wh family are rounded.
        .init(value: "60", from: "Wmin", to: "Wh", expected: "1"),
        .init(value: "1", from: "Wmin", to: "J", expected: "60"),
        .init(value: "2840760", from: "Wmin", to: "kWh", expected: "47.346"),
        .init(value: "1", from: "Wh", to: "Wmin", expected: "60"),
        .init(value: "1", from: "Wmin", to: "Wh", expected: "0.016666666666666666666666666667", exact: false),
        .init(value: "2840723", from: "Wmin", to: "kWh", expected: "47.34538333333333333333333333333", exact: false),
        // Volume
        .init(value: "2.5", from: "m3", to: "L", expected: "2500"),
        .init(value: "2500", from: "L", to: "m3", expected: "2.5"),
        .init(value: "1", from: "L", to: "kL", expected: "0.001"),
        .init(value: "3", from: "kL", to: "L", expected: "3000"),
        .init(value: "4.25", from: "kL", to: "m3", expected: "4.25"),
        // Mass
        .init(value: "1.234", from: "t", to: "kg", expected: "1234"),
        .init(value: "500", from: "kg", to: "t", expected: "0.5"),
        // Emissions
        .init(value: "0.5", from: "tCO2", to: "kgCO2", expected: "500"),
        .init(value: "1", from: "kgCO2", to: "tCO2", expected: "0.001"),
        // Same unit
        .init(value: "42.10", from: "kWh", to: "kWh", expected: "42.10"),
    ]

    @Test(arguments: cases)
    func converts(_ c: ConversionCase) throws {
        let result = try convert(c.value, c.from, c.to)
        #expect(result.value.description == c.expected)
        #expect(result.exact == c.exact)
    }

    @Test func exactConversionsAreNormalized() throws {
        // 1500.000 Wh is 1.5 kWh, printed without meaningless zeros.
        let result = try convert("1500.000", "Wh", "kWh")
        #expect(result.value.description == "1.5")
        #expect(result.value.scale == 1)
    }

    @Test func roundTripThroughAFinerUnitIsIdentity() throws {
        for text in ["0.001", "123456.789", "-42", "99999999999999999999.5"] {
            let kwh = try #require(ExactDecimal(parsing: text))
            let wh = try kwh.converted(from: unit("kWh"), to: unit("Wh"))
            let back = try wh.value.converted(from: unit("Wh"), to: unit("kWh"))
            #expect(back.value == kwh)
            #expect(wh.exact && back.exact)
        }
    }

    @Test(arguments: [("kWh", "L"), ("kg", "kgCO2"), ("t", "tCO2"), ("m3", "kg"), ("J", "m3"), ("tCO2", "MWh")])
    func incompatibleDimensionsThrow(_ from: String, _ to: String) throws {
        let f = try unit(from)
        let t = try unit(to)
        #expect(throws: UnitConversionError.incompatible(from: f, to: t)) {
            try ExactDecimal(significand: 1, scale: 0).converted(from: f, to: t)
        }
    }

    @Test func overflowThrows() throws {
        let huge = try #require(ExactDecimal(parsing: String(repeating: "9", count: 38)))
        let gwh = try unit("GWh")
        let j = try unit("J")
        #expect(throws: UnitConversionError.overflow) {
            try huge.converted(from: gwh, to: j)
        }
    }
}

@Suite struct UnitNameTests {
    @Test func everySymbolNamesItself() {
        for u in MeasurementUnit.all {
            #expect(MeasurementUnit.named(u.symbol) == u)
            #expect(u.description == u.symbol)
        }
        #expect(Set(MeasurementUnit.all.map(\.symbol)).count == MeasurementUnit.all.count)
    }

    @Test(arguments: [
        ("m³", "m3"), ("m^3", "m3"), ("l", "L"), ("kl", "kL"), ("tonne", "t"),
        ("tCO2e", "tCO2"), ("t-CO2", "tCO2"), ("kgCO2e", "kgCO2"),
    ])
    func aliases(_ alias: String, _ symbol: String) throws {
        let u = try unit(alias)
        #expect(u.symbol == symbol)
        #expect(u == (try unit(symbol)))
    }

    @Test func aliasesConvert() throws {
        #expect(try convert("1", "m³", "L").value.description == "1000")
        #expect(try convert("2", "tCO2e", "kgCO2").value.description == "2000")
    }

    /// `MWh` and `mWh` differ by 10^9: case is never folded, and nothing is trimmed.
    @Test(arguments: [
        "mWh", "kwh", "KWH", "Kwh", "KWh", "wh", "WH", "mwh", "j", "kj", "KG", "M3", "T", "TCO2", "kgco2", "",
        " kWh", "kWh ", "kw", "w", "m³ ", "Nm3", "MMBtu",
    ])
    func unknownSpellings(_ symbol: String) {
        #expect(MeasurementUnit.named(symbol) == nil)
    }

    @Test func dimensionsAndFactors() throws {
        #expect(try unit("kWh").dimension == .energy)
        #expect(try unit("kWh").factor == 3_600_000)
        #expect(try unit("m3").dimension == .volume)
        #expect(try unit("m3").factor == 1_000)
        #expect(try unit("t").dimension == .mass)
        #expect(try unit("tCO2").dimension == .emissions)
        #expect(try unit("tCO2").factor == 1_000)
    }
}
