import Foundation
import JCMCore
import Testing

@testable import JCMDaemon

/// What an operator reads when a file is refused whole, and what the spool says at a restart.
@Suite("messages that say what to fix, end to end")
struct OperatorMessageIntegrationTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func aRefusedFileIsSaidRefusedAndNotIngested() throws {
        let dir = TempDir()
        let conninfo = try TestCluster.freshDatabase()
        let config = dir.write(
            "c.toml",
            """
            [database]
            url = "\(conninfo)"
            [daemon]
            state_dir = "\(dir.path)"
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
        let book = dir.file("book.xlsx")
        _ = FileManager.default.createFile(
            atPath: book,
            contents: Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00] + Array("xl/workbook.xml".utf8)))
        let r = try CommandLineTests.run(["ingest", "--config", config, book])
        #expect(r.status == 2)
        // A zip is read as a workbook; this one is cut off, and the message says so.
        #expect(
            r.out.contains(
                "book.xlsx: refused: not a readable .xlsx workbook (a damaged or cut-off zip archive: missingEndOfCentralDirectoryRecord)\n"
            ), "\(r.out)")
        #expect(!r.out.contains("0 rejected"))
        #expect(!r.err.contains("msg=\"report ingested\""), "\(r.err)")
    }

    @Test func aFolderOfSemicolonFilesWithDecimalCommasIsRead() throws {
        let dir = TempDir()
        let incoming = dir.file("in")
        let conninfo = try TestCluster.freshDatabase()
        let config = try Config.parse(
            """
            [daemon]
            state_dir = "\(TestCluster.scratch())"
            [[project]]
            id = "P"
            methodology = "M"
            [[meter]]
            id = "PV-1"
            project = "P"
            parameter = "EG_p"
            kind = "cumulative"
            unit = "kWh"
            [[watch]]
            dir = "\(incoming)"
            delimiter = ";"
            decimal_separator = ","
            """)
        let running = DaemonTests.Running(Daemon(config: config, conninfo: conninfo, logger: TestCluster.logger))
        defer { _ = running.stop() }
        #expect(eventually { FileManager.default.fileExists(atPath: incoming) })
        try "meter_id;timestamp;value;unit\nPV-1;2026-10-01T10:00:00Z;1234,5;kWh\n".write(
            toFile: incoming + "/export.csv", atomically: true, encoding: .utf8)
        #expect(eventually { FileManager.default.fileExists(atPath: incoming + "/processed/export.csv") })
        // raw_value keeps the point it was read with (docs/configuration.md, decimal_separator).
        #expect(try scalar(conninfo, "select value::text || ' ' || raw_value from jcm.readings") == "1234.5 1234.5")
        #expect(running.stop())
    }

    @Test func aSpoolWithNothingWaitingSaysNothingAtARestart() throws {
        let dir = TestCluster.scratch()
        let logs = LogCapture()
        // Started and stopped with nothing spooled: each start leaves an empty segment behind.
        do { _ = try Spool(directory: dir + "/spool", maxBytes: 1 << 20, logger: logs.logger) }
        do { _ = try Spool(directory: dir + "/spool", maxBytes: 1 << 20, logger: logs.logger) }
        do { _ = try Spool(directory: dir + "/spool", maxBytes: 1 << 20, logger: logs.logger) }
        #expect(logs.count("spool holds records from before the restart") == 0, "\(logs.lines)")
        // Records not yet written are still announced.
        do {
            let s = try Spool(directory: dir + "/spool", maxBytes: 1 << 20, logger: logs.logger)
            try s.append([Array("waiting".utf8)])
        }
        _ = try Spool(directory: dir + "/spool", maxBytes: 1 << 20, logger: logs.logger)
        #expect(logs.count("spool holds records from before the restart") == 1, "\(logs.lines)")
    }
}

/// `period declare` refusals that say what to change.
@Suite("period declare messages")
struct PeriodDeclareMessageTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func unknownProjectLocalDatesAndOverlapsAreSaidPlainly() throws {
        let dir = TempDir()
        let conninfo = try TestCluster.freshDatabase()
        let config = dir.write(
            "c.toml",
            """
            [database]
            url = "\(conninfo)"
            [daemon]
            state_dir = "\(dir.path)"
            [[project]]
            id = "P"
            methodology = "M"
            """)
        // The project is recorded in jcm.projects the way the daemon does at its start.
        _ = try IngestContext.open(
            conninfo: conninfo, config: try Config.parse(String(contentsOfFile: config, encoding: .utf8)),
            logger: TestCluster.logger)
        func declare(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
            try CommandLineTests.run(["period", "declare", "--config", config] + args)
        }
        let nope = try declare([
            "--project", "NOPE", "--name", "a", "--start", "2026-01-01T00:00:00Z", "--end", "2026-02-01T00:00:00Z",
        ])
        #expect(nope.status != 0)
        #expect(nope.err.contains("no project NOPE in the database; known projects: P"), "\(nope.err)")
        #expect(!nope.err.contains("23503"))

        let bare = try declare(["--project", "P", "--name", "a", "--start", "2026-01-01", "--end", "2026-02-01"])
        #expect(
            bare.err.contains(
                "--start 2026-01-01: give an offset (2026-10-01T00:00:00+05:30, or Z for UTC), "
                    + "or --timezone ZONE (an IANA name such as Asia/Kolkata) for a local date or time"), "\(bare.err)")

        let local = try declare([
            "--project", "P", "--name", "jan", "--start", "2026-01-01", "--end", "2026-02-01", "--timezone",
            "Asia/Kolkata",
        ])
        #expect(local.status == 0, "\(local.err)")
        #expect(local.out.hasPrefix("declared P jan: 2025-12-31T18:30:00Z – 2026-01-31T18:30:00Z"), "\(local.out)")

        let overlap = try declare([
            "--project", "P", "--name", "mid-jan", "--start", "2026-01-15T00:00:00Z", "--end", "2026-02-15T00:00:00Z",
        ])
        #expect(overlap.status != 0)
        #expect(
            overlap.err.contains(
                "the period overlaps jan (2025-12-31T18:30:00Z – 2026-01-31T18:30:00Z) of project P; periods of a project must not overlap"
            ), "\(overlap.err)")
    }
}
