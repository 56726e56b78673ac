import Foundation
import Testing

@testable import JCMCore

/// The Monitoring Report Sheet's texts on [[parameter]] and [[meter]], the value sources and the
/// allocation: read, checked, and kept in the plan's JSON only when set.
@Suite struct SheetTextsConfigTests {
    static let base = """
        [[project]]
        id = "P"
        methodology = "TH_AM001"
        PROJECT
        [[parameter]]
        project = "P"
        id = "EG_p"
        unit = "MWh"
        option = "C"
        PARAMETER
        [[meter]]
        id = "M1"
        project = "P"
        parameter = "EG_p"
        kind = "cumulative"
        unit = "kWh"
        METER1
        [[meter]]
        id = "M2"
        project = "P"
        parameter = "EG_p"
        kind = "cumulative"
        unit = "kWh"
        METER2
        """

    func text(project: String = "", parameter: String = "", meter1: String = "", meter2: String = "") -> String {
        Self.base.replacingOccurrences(of: "PROJECT", with: project)
            .replacingOccurrences(of: "PARAMETER", with: parameter)
            .replacingOccurrences(of: "METER1", with: meter1).replacingOccurrences(of: "METER2", with: meter2)
    }

    func problems(_ text: String) -> [String] {
        do {
            _ = try Config.parse(text)
            return []
        } catch {
            return error.problems.map { "\($0.key): \($0.message)" }
        }
    }

    @Test func aMeterSaysItsOwnOrItsParametersTexts() throws {
        let config = try Config.parse(
            text(
                parameter: "source_of_data = \"Meter at the grid connection\"\nfrequency = \"continuous\"\n"
                    + "measurement_methods = \"Read hourly\"\ncomments = \"none\"",
                meter1: "monitoring_point = \"1\"\nsource_of_data = \"Inverter meter\""))
        let parameter = config.parameters[0].texts
        #expect(parameter.source == "Meter at the grid connection" && parameter.methods == "Read hourly")
        let m1 = config.meters[0].texts.over(parameter)
        #expect(m1.point == "1" && m1.source == "Inverter meter" && m1.frequency == "continuous")
        let m2 = config.meters[1].texts.over(parameter)
        #expect(m2.point == nil && m2.source == "Meter at the grid connection" && m2.comments == "none")
        // Kept in the plan, so a period's sheet can say what the plan said.
        let plan = try JSON.parse(config.planJSON)
        #expect(plan["parameters"]?[0]?["source_of_data"]?.stringValue == "Meter at the grid connection")
        #expect(plan["meters"]?[0]?["monitoring_point"]?.stringValue == "1")
        #expect(plan["meters"]?[1]?["monitoring_point"] == nil)
    }

    @Test func aPlanWithoutThemKeepsItsText() throws {
        let plan = try Config.parse(text()).planJSON
        for key in [
            "source_of_data", "measurement_methods", "comments", "monitoring_point", "allocation", "value_sources",
        ] {
            #expect(!plan.contains(key), "\(key)")
        }
    }

    @Test func theAllocationIsInThePlan() throws {
        let allocation = """
            [[project.allocation]]
            holder = "participant"
            name = "Solar Co"
            share = "100%"
            """
        let plan = try JSON.parse(try Config.parse(text(project: allocation)).planJSON)
        #expect(plan["projects"]?[0]?["allocation"]?[0]?["share"]?.stringValue == "100%")
    }

    @Test func badTextsAreRefused() {
        #expect(
            problems(text(meter1: "monitoring_point = \"1\"", meter2: "monitoring_point = \"1\""))
                == ["meter[2].monitoring_point: \"1\" is already the monitoring point of meter M1 in project P"])
        #expect(
            problems(text(parameter: "comments = \"  \""))
                == ["parameter[1].comments: is empty: leave the key out, or say what the sheet should show"])
        #expect(
            problems(text(meter1: "description = \"a\\u0001b\""))
                == ["meter[1].description: holds a control character, which a spreadsheet cell cannot keep"])
        #expect(
            problems(text(parameter: "monitoring_point = \"1\"")).first?.hasPrefix(
                "parameter[1].monitoring_point: unknown key") == true)
        #expect(
            problems(text(project: "value_sources = { EF_grid = \"IGES\" }"))
                == ["project[1].value_sources: only applies with calculation (a methodology file)"])
    }
}
