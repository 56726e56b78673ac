import Foundation
import Testing

@testable import JCMCore

/// The methodology files shipped in config/methodologies, read from the source tree.
enum ShippedMethodology {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config/methodologies")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    static func load(_ name: String) throws -> Methodology {
        try Methodology.parse(text(name), file: name)
    }
}

/// Reading methodology files: each mistake located as file:line: key: message.
@Suite struct MethodologyFileTests {
    static let head = """
        id = "T"
        title = "Test"
        version = "1"

        [[parameter]]
        id = "EG_p"
        unit = "MWh"
        option = "C"
        effect = "raises"

        [[parameter]]
        id = "EF_grid"
        unit = "tCO2/MWh"
        option = "A"
        effect = "raises"

        """

    func problems(_ text: String) -> [String] {
        do {
            _ = try Methodology.parse(text, file: "m.toml")
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    @Test func shippedFilesLoad() throws {
        let pv = try ShippedMethodology.load("pv-grid.toml")
        #expect(
            pv.id == "JCM_PV_GRID" && pv.result == "ER_p" && pv.rounding == Methodology.Rounding(mode: .down, scale: 0))
        #expect(pv.measuredParameters.map(\.id) == ["EG_p"])
        #expect(pv.measuredParameters.first?.unit == MeasurementUnit.named("MWh"))
        #expect(pv.fixedParameters.map(\.id) == ["EF_grid"])
        #expect(pv.equations.map(\.id) == ["RE_p", "PE_p", "ER_p"])
        let chiller = try ShippedMethodology.load("chiller.toml")
        #expect(chiller.measuredParameters.map(\.id) == ["EC_PJ"])
        #expect(
            chiller.parameters.map { "\($0.id):\($0.effect.rawValue)" } == [
                "EC_PJ:raises", "COP_PJ:raises", "COP_RE:lowers", "EF_elec:raises",
            ])
        #expect(chiller.equations.first?.source == "EC_PJ * (COP_PJ / COP_RE) * EF_elec")
    }

    @Test func expressionSyntaxErrorsNameFileLineAndColumn() {
        let text =
            Self.head + """
                [[equation]]
                id = "RE_p"
                expression = "EG_p * + EF_grid"
                """
        #expect(
            problems(text) == [
                "m.toml:18: equation[1].expression: column 8: expected a number, a name or '(', found '+'"
            ])
    }

    @Test func unknownAndForwardNamesAreLoadErrors() {
        let text =
            Self.head + """
                [[equation]]
                id = "RE_p"
                expression = "EG_x * EF_grid"

                [[equation]]
                id = "ER_p"
                expression = "RE_p - PE_p"

                [[equation]]
                id = "PE_p"
                expression = "PE_p + EG_p * 0"
                """
        #expect(
            problems(text) == [
                "m.toml:18: equation[1].expression: EG_x is not a parameter or an equation above this one",
                "m.toml:22: equation[2].expression: PE_p is an equation below this one: an equation may use only parameters and equations above it",
                "m.toml:26: equation[3].expression: PE_p uses itself",
            ])
    }

    @Test func keyMistakesAreEachNamed() {
        let text = """
            id = "T"
            title = "Test"
            version = "1"
            rounding = "sideways"
            result = "ER"

            [[parameter]]
            id = "EG_p"
            unit = "kWhh"
            option = "C"
            effect = "raises"

            [[parameter]]
            id = "min"
            unit = "-"
            option = "A"
            effect = "raises"

            [[parameter]]
            id = "NCV"
            unit = "GJ/t"
            option = "A"
            effect = "more"

            [[parameter]]
            id = "EF"
            unit = "tCO2/MWh"
            option = "A"
            effect = "lowers"
            note = "typo"

            [[equation]]
            id = "EG_p"
            expression = "EF * 2"
            """
        #expect(
            problems(text) == [
                #"m.toml:4: rounding: "sideways" is not one of down (toward −∞, the default), nearest, up"#,
                #"m.toml:5: result: no [[equation]] has id "ER""#,
                "m.toml:7: parameter[1].id: EG_p is not used by any equation",
                "m.toml:9: parameter[1].unit: a measured parameter needs a unit meters can be converted to, not \"kWhh\" (known: \(MeasurementUnit.all.map(\.symbol).joined(separator: ", ")))",
                #"m.toml:14: parameter[2].id: "min" is not a name an expression can use (letters, digits, _; not min or max)"#,
                #"m.toml:23: parameter[3].effect: "more" is not one of raises, lowers (how a larger value moves the emission reductions)"#,
                "m.toml:30: parameter[4].note: unknown key",
                #"m.toml:33: equation[1].id: "EG_p" is already a parameter or an equation"#,
            ])
    }

    @Test func aFileWithoutEquationsIsRefused() {
        #expect(problems(Self.head).contains("m.toml:1: equation: at least one [[equation]] is required"))
        #expect(problems("id = 3\n").contains("m.toml:1: id: must be a string"))
        #expect(problems("id = \"x\n").first?.hasPrefix("m.toml:1: (syntax): column") == true)
    }

    @Test func resultDefaultsToTheLastEquation() throws {
        let m = try Methodology.parse(
            Self.head + "[[equation]]\nid = \"ER_p\"\nexpression = \"EG_p * EF_grid\"\n", file: "m.toml")
        #expect(m.result == "ER_p" && m.rounding == Methodology.Rounding())
    }
}

/// The final rounding of the result, on the number line: down is toward −∞ even for a negative ER.
@Suite struct MethodologyRoundingTests {
    func r(_ mode: Methodology.Rounding.Mode, _ scale: Int, _ text: String) -> String {
        Methodology.Rounding(mode: mode, scale: scale).apply(ExactDecimal(parsing: text)!).description
    }

    @Test func down() {
        #expect(r(.down, 0, "710.9248874") == "710")
        #expect(r(.down, 0, "-2.1") == "-3")
        #expect(r(.down, 0, "-2") == "-2")
        #expect(r(.down, 0, "0.999") == "0")
        #expect(r(.down, 1, "2.345") == "2.3")
        #expect(r(.down, 2, "7") == "7")
    }

    @Test func up() {
        #expect(r(.up, 0, "2.1") == "3")
        #expect(r(.up, 0, "-2.1") == "-2")
        #expect(r(.up, 1, "2.345") == "2.4")
    }

    @Test func nearestTiesToEven() {
        #expect(r(.nearest, 0, "2.5") == "2")
        #expect(r(.nearest, 0, "3.5") == "4")
        #expect(r(.nearest, 0, "-2.5") == "-2")
        #expect(r(.nearest, 0, "-2.51") == "-3")
        #expect(r(.nearest, 0, "2.51") == "3")
        #expect(r(.nearest, 1, "2.345") == "2.3")
    }
}
