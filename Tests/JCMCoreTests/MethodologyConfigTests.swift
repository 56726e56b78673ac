import Foundation
import Testing

@testable import JCMCore

/// `calculation` and `values` of a [[project]]: the methodology file is loaded and checked with
/// the configuration, and each mistake names its key and line.
@Suite struct MethodologyConfigTests {
    static let project = """
        [[project]]
        id = "P"
        methodology = "TH_AM001"
        calculation = "methodologies/pv-grid.toml"

        """
    static let plan = """

        [[parameter]]
        project = "P"
        id = "EG_p"
        unit = "MWh"
        option = "C"
        """

    final class Reader: @unchecked Sendable {
        var asked: [String] = []
        var files: [String: String]
        init(_ files: [String: String]) { self.files = files }
        func read(_ path: String) throws -> String {
            asked.append(path)
            guard let text = files[path] else { throw CocoaLikeError() }
            return text
        }
    }
    struct CocoaLikeError: Error {}

    func shipped(at path: String) throws -> Reader {
        Reader([path: try ShippedMethodology.text("pv-grid.toml")])
    }

    func problems(_ text: String, reader: Reader) -> [String] {
        do {
            _ = try Config.parse(text, file: "config.toml", readFile: reader.read)
            return []
        } catch {
            return error.problems.map { "\($0.line) \($0.key): \($0.message)" }
        }
    }

    @Test func aProjectWithItsMethodology() throws {
        let reader = try shipped(at: "/etc/jcm/methodologies/pv-grid.toml")
        let text = Self.project + "values = { EF_grid = \"0.533\" }\n" + Self.plan
        let config = try Config.parse(text, file: "/etc/jcm/config.toml", readFile: reader.read)
        #expect(reader.asked == ["/etc/jcm/methodologies/pv-grid.toml"])
        #expect(config.projects[0].calculation == "/etc/jcm/methodologies/pv-grid.toml")
        #expect(config.projects[0].values == ["EF_grid": ExactDecimal(significand: 533, scale: 3)])
        #expect(config.methodologies["P"]?.id == "JCM_PV_GRID")
        #expect(config.methodologies["P"]?.file == "/etc/jcm/methodologies/pv-grid.toml")
    }

    @Test func relativeToARelativeConfigFileThenMadeAbsolute() throws {
        let reader = try shipped(at: "deploy/methodologies/pv-grid.toml")
        let text = Self.project + "[project.values]\nEF_grid = 1\n" + Self.plan
        let config = try Config.parse(text, file: "deploy/config.toml", readFile: reader.read)
        #expect(config.projects[0].values == ["EF_grid": ExactDecimal(significand: 1, scale: 0)])
        let absolute = config.resolvingPaths(against: "/srv")
        #expect(absolute.projects[0].calculation == "/srv/deploy/methodologies/pv-grid.toml")
        #expect(absolute.methodologies["P"]?.file == "/srv/deploy/methodologies/pv-grid.toml")
    }

    @Test func theDefaultReaderReadsTheShippedFile() throws {
        let file = ShippedMethodology.folder.deletingLastPathComponent().appendingPathComponent("jcm-ingestd.toml").path
        let config = try Config.parse(Self.project + "values = { EF_grid = \"0.7\" }\n" + Self.plan, file: file)
        #expect(config.methodologies["P"]?.equations.count == 3)
    }

    /// The commented keys of the reference configuration work once uncommented.
    @Test func theReferenceConfigurationsExampleLoads() throws {
        let file = ShippedMethodology.folder.deletingLastPathComponent().appendingPathComponent("jcm-ingestd.toml").path
        let text = try ReferenceConfigTests.enabled().text
        #expect(try Config.parse(text, file: file).methodologies.isEmpty)
        let enabled = text.replacingOccurrences(of: "# calculation = ", with: "calculation = ")
            .replacingOccurrences(of: "# values = {", with: "values = {")
        #expect(enabled != text)
        let config = try Config.parse(enabled, file: file)
        #expect(config.methodologies["IN-JP-0001"]?.id == "JCM_PV_GRID")
        #expect(config.projects[0].values["EF_grid"] == ExactDecimal(parsing: "0.533"))
    }

    @Test func valueMistakesAreNamedWithTheirLines() throws {
        let reader = try shipped(at: "methodologies/pv-grid.toml")
        let text =
            Self.project + """
                [project.values]
                EF_grid = 0.533
                EG_p = "12"
                EF_x = "abc"
                COP = true
                """ + Self.plan
        #expect(
            problems(text, reader: reader)
                == [
                    #"6 project[1].values.EF_grid: write the value as a string (EF_grid = "0.533"): a TOML float is binary floating point, never exact"#,
                    #"8 project[1].values.EF_x: "abc" is not a decimal number"#,
                    #"9 project[1].values.COP: must be a decimal string such as "0.533" or an integer"#,
                    "7 project[1].values.EG_p: EG_p is measured (option C) in JCM_PV_GRID: its value comes from the meters",
                ].sorted { Int($0.prefix { $0 != " " })! < Int($1.prefix { $0 != " " })! })
    }

    @Test func unknownValueAndMissingValue() throws {
        let reader = try shipped(at: "methodologies/pv-grid.toml")
        #expect(
            problems(Self.project + "values = { EF_grd = \"0.5\" }\n" + Self.plan, reader: reader) == [
                "5 project[1].values: no value for EF_grid (tCO2/MWh), an option A parameter of JCM_PV_GRID",
                "5 project[1].values.EF_grd: JCM_PV_GRID has no parameter EF_grd",
            ])
        #expect(
            problems(Self.project + Self.plan, reader: reader) == [
                "4 project[1].values: no value for EF_grid (tCO2/MWh), an option A parameter of JCM_PV_GRID"
            ])
    }

    @Test func measuredParametersMustBeInThePlan() throws {
        let reader = try shipped(at: "methodologies/pv-grid.toml")
        let head = Self.project + "values = { EF_grid = \"0.5\" }\n"
        #expect(
            problems(head, reader: reader) == [
                "4 project[1].calculation: JCM_PV_GRID measures EG_p (option C, MWh): declare it as a [[parameter]] of project P"
            ])
        let volume = head + "[[parameter]]\nproject = \"P\"\nid = \"EG_p\"\nunit = \"kL\"\noption = \"C\"\n"
        #expect(
            problems(volume, reader: reader) == [
                "4 project[1].calculation: JCM_PV_GRID measures EG_p in MWh (energy), but the plan keeps it in kL (volume)"
            ])
        let fixed = head + "[[parameter]]\nproject = \"P\"\nid = \"EG_p\"\nunit = \"kWh\"\noption = \"A\"\n"
        #expect(
            problems(fixed, reader: reader) == [
                "4 project[1].calculation: JCM_PV_GRID measures EG_p (option C), but the plan declares it option A"
            ])
    }

    @Test func fileProblemsCarryTheMethodologyFileAndLine() {
        let broken = "id = \"X\"\ntitle = \"t\"\nversion = \"1\"\n[[equation]]\nid = \"ER_p\"\nexpression = \"2 *\"\n"
        let reader = Reader(["methodologies/pv-grid.toml": broken])
        #expect(
            problems(Self.project, reader: reader) == [
                "4 project[1].calculation: methodologies/pv-grid.toml:6: equation[1].expression: column 4: expected a number, a name or '(', found end of expression"
            ])
        let missing = problems(Self.project, reader: Reader([:]))
        #expect(
            missing.count == 1
                && missing[0].hasPrefix("4 project[1].calculation: cannot read methodologies/pv-grid.toml"))
    }

    @Test func valuesNeedACalculation() {
        let text = "[[project]]\nid = \"P\"\nmethodology = \"M\"\nvalues = { EF = \"1\" }\n"
        #expect(
            problems(text, reader: Reader([:])) == [
                "4 project[1].values: only applies with calculation (a methodology file)"
            ])
        #expect(
            problems("[[project]]\nid = \"P\"\nmethodology = \"M\"\ncalculation = 3\n", reader: Reader([:])) == [
                "4 project[1].calculation: must be a string"
            ])
    }
}
