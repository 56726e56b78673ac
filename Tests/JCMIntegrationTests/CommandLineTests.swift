import Foundation
import JCMCore
import Testing

/// The built `jcm-ingestd` executable, run as an operator would.
@Suite("command line")
struct CommandLineTests {
    /// SwiftPM puts the executable beside the test bundle.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("jcm-ingestd").path

    static func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary)))
    func checkConfigListsEveryProblemWithItsLine() throws {
        let dir = TempDir()
        let path = dir.write(
            "bad.toml",
            """
            [daemon]
            log_levle = "info"
            [[project]]
            id = "P"
            methodology = "M"
            [[meter]]
            id = "A"
            project = "Q"
            parameter = "EG_p"
            kind = "cumulative"
            unit = "kwh"
            """)
        let r = try Self.run(["check-config", "--config", path])
        #expect(r.status == 1)
        #expect(r.err.contains("bad.toml:2: daemon.log_levle: unknown key"))
        #expect(r.err.contains("bad.toml:8: meter[1].project: no [[project]] has id \"Q\""))
        #expect(r.err.contains("bad.toml:11: meter[1].unit: unknown unit \"kwh\""))
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for shipped in ["config/demo.toml", "config/jcm-ingestd.toml"] {
            let ok = try Self.run(["check-config", "--config", repo.appendingPathComponent(shipped).path])
            #expect(ok.status == 0, "\(shipped): \(ok.err)")
            #expect(ok.out.contains(" watched folders, ") && ok.out.contains(" upload sources\n"), "\(ok.out)")
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary)))
    func ingestPrintsASummaryPerFileAndFailsOnRejectedRows() throws {
        let dir = TempDir()
        let conninfo = try TestCluster.freshDatabase()
        let config = dir.write(
            "c.toml",
            """
            [database]
            url = "\(conninfo)"
            [[project]]
            id = "P"
            methodology = "M"
            [[meter]]
            id = "PV-1"
            project = "P"
            parameter = "EG_p"
            kind = "cumulative"
            unit = "kWh"
            """)
        let good = dir.write("good.csv", "meter_id,timestamp,value,unit\nPV-1,2026-11-01T00:00:00Z,1,kWh\n")
        let bad = dir.write(
            "bad.csv",
            "meter_id,timestamp,value,unit\nPV-1,2026-11-01T01:00:00Z,x,kWh\nPV-9,2026-11-01T01:00:00Z,1,kWh\n")
        let first = try Self.run(["ingest", "--config", config, good])
        #expect(first.status == 0, "\(first.err)")
        #expect(first.out.contains("good.csv: processed: 1 accepted, 0 flagged, 0 rejected"))
        let second = try Self.run(["ingest", "--config", config, good, bad])
        #expect(second.status == 2)
        #expect(second.out.contains("good.csv: duplicate of good.csv"))
        #expect(second.out.contains("bad.csv: rejected: 0 accepted, 0 flagged, 2 rejected"))
        #expect(second.out.contains("line 2: value_not_numeric"))
        #expect(second.out.contains("line 3: unknown_meter"))
        // Files named on the command line stay where they are.
        #expect(FileManager.default.fileExists(atPath: bad))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary)))
    func versionAndHelp() throws {
        #expect(try Self.run(["--version"]).out.trimmingCharacters(in: .whitespacesAndNewlines) == Version.string)
        let help = try Self.run(["ingest", "--help"])
        #expect(help.out.contains("OVERVIEW: Ingest report files once"))
        #expect(help.out.contains("--config"))
    }
}
