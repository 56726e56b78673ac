import Foundation
import JCMCore
import Testing

/// check-config's mistakes that misled: each problem once, at the right meter, with a
/// suggestion for a misspelt key, and paths resolved against the configuration's folder.
@Suite("check-config messages")
struct CheckConfigMessageTests {
    static let methodologies = DemoDaemon.repo.appendingPathComponent("config/methodologies").path

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func eachMistakeOnceAtItsPlaceWithWhatWasMeant() throws {
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.file("etc"), withIntermediateDirectories: true)
        let config = dir.write(
            "etc/c.toml",
            """
            [daemon]
            log_levl = "info"
            [[project]]
            id = "P"
            methodology = "M"
            calculation = "\(Self.methodologies)/pv-grid.toml"
            values = { EF_grid = 0.757 }
            [[parameter]]
            project = "P"
            id = "FC_p"
            unit = "kL"
            option = "C"
            [[parameter]]
            project = "P"
            id = "EG_p"
            unit = "MWh"
            option = "C"
            [[meter]]
            id = "A"
            project = "P"
            kind = "cumulative"
            unit = "kWh"
            [[meter]]
            id = "B"
            project = "P"
            parameter = "FC_p"
            kind = "cumulative"
            unit = "kWh"
            intervall = "5s"
            """)
        let r = try CommandLineTests.run(["check-config", "--config", config])
        #expect(r.status == 1)
        let lines = r.err.split(separator: "\n").map { String($0.split(separator: ": ", maxSplits: 1).last ?? "") }
        #expect(lines.contains("daemon.log_levl: unknown key; did you mean log_level?"), "\(r.err)")
        #expect(lines.contains("meter[2].intervall: unknown key; did you mean interval?"), "\(r.err)")
        #expect(lines.contains("meter[1].parameter: is required"))
        // The second table, not the first meter that was read.
        #expect(
            lines.contains("meter[2].unit: kWh (energy) does not measure parameter FC_p, kept in kL (volume)"),
            "\(r.err)")
        #expect(
            lines.contains(
                "project[1].values.EF_grid: write the value as a string (EF_grid = \"0.757\"): a TOML float is binary floating point, never exact"
            ))
        #expect(!r.err.contains("no value for EF_grid"), "\(r.err)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func aMethodologyWithThreeMistakesGetsThreeProblems() throws {
        let dir = TempDir()
        let good = try String(contentsOfFile: Self.methodologies + "/pv-grid.toml", encoding: .utf8)
        let bad = good.replacingOccurrences(of: "unit = \"MWh\"\n", with: "unit = \"MWhh\"\n")
            .replacingOccurrences(of: "option = \"A\"\n", with: "option = \"Q\"\n")
            .replacingOccurrences(of: "expression = \"0\"\n", with: "expression = \"0 +\"\n")
        #expect(bad != good)
        dir.write("bad.toml", bad)
        let config = dir.write(
            "c.toml",
            """
            [[project]]
            id = "P"
            methodology = "M"
            calculation = "bad.toml"
            values = { EF_grid = "0.7" }
            [[parameter]]
            project = "P"
            id = "EG_p"
            unit = "MWh"
            option = "C"
            """)
        let r = try CommandLineTests.run(["check-config", "--config", config])
        #expect(r.err.hasPrefix("Error: 3 problems in the configuration:\n"), "\(r.err)")
        #expect(r.err.contains("bad.toml:29: parameter[2].option: \"Q\" is not one of A"))
        #expect(
            !r.err.contains("is not a parameter or an equation") && !r.err.contains("no [[equation]] has id"),
            "\(r.err)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func relativePathsAreTheConfigurationsFolders() throws {
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.file("etc"), withIntermediateDirectories: true)
        let config = dir.write(
            "etc/c.toml",
            """
            [daemon]
            state_dir = "state"
            [[watch]]
            dir = "../incoming"
            """)
        // Run from elsewhere: the paths do not follow the working directory.
        let r = try CommandLineTests.run(["check-config", "--config", config])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("\nstate_dir: \(dir.path)/etc/state\n"), "\(r.out)")
        #expect(
            r.out.contains(
                "\nwatch: \(dir.path)/incoming (processed: \(dir.path)/incoming/processed, rejected: \(dir.path)/incoming/rejected)\n"
            ), "\(r.out)")
    }
}
