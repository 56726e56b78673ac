import Foundation
import JCMCore
import JCMDaemon
import Testing

/// Report files as an attacker or a careless uploader drops them: names as long as the file
/// system allows, a writer still appending at start, hard links made while running, JSON with a
/// lone surrogate. The daemon runs in process on a real folder (inotify) into a real PostgreSQL.
@Suite("report folder: long names, slow writers, hard links, lone surrogates", .serialized)
struct ReportFolderEdgeTests {
    static let good = "meter_id,timestamp,value,unit\nPV-1,2026-11-01T00:00:00Z,1,kWh\n"
    /// Another meter's row, dropped to learn that the daemon has come past some point.
    static let canary = "meter_id,timestamp,value,unit\nPV-2,2026-11-01T09:00:00Z,1,kWh\n"

    func readings(_ conninfo: String) -> Int {
        Int((try? scalar(conninfo, "select count(*) from jcm.readings")) ?? "0") ?? -1
    }

    /// A daemon watching `incoming` (created) under a fresh folder.
    struct Watched {
        let dir = TempDir()
        let incoming: String
        let conninfo: String
        let running: DaemonTests.Running

        init() throws {
            incoming = dir.file("incoming")
            try FileManager.default.createDirectory(atPath: incoming, withIntermediateDirectories: true)
            conninfo = try TestCluster.freshDatabase()
            running = DaemonTests.Running(
                Daemon(config: try Fixtures.config(watchDir: incoming), conninfo: conninfo, logger: TestCluster.logger))
        }

        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: "\(incoming)/\(name)") }
    }

    /// 250 and 255 bytes: the longest names ext4 takes. Before, `.NAME.errors.json.part` did not
    /// fit, and a valid report went to rejected/ as a `database_error`.
    @Test func reportsWithTheLongestNamesAreIngestedWithTheirSideFiles() throws {
        let w = try Watched()
        defer { _ = w.running.stop() }
        let long = String(repeating: "r", count: 246) + ".csv"  // 250 bytes
        let longest = String(repeating: "é", count: 125) + "x.csv"  // 255 bytes
        #expect(long.utf8.count == 250 && longest.utf8.count == 255)
        try Self.good.write(toFile: "\(w.incoming)/\(long)", atomically: false, encoding: .utf8)
        #expect(eventually { w.exists("processed/\(long)") })
        #expect(readings(w.conninfo) == 1)

        // A bad row: the file goes to rejected/ beside its errors file, whose name is shortened.
        try "meter_id,timestamp,value,unit\nPV-1,2026-11-01T01:00:00Z,2,kWh\nPV-1,2026-11-01T02:00:00Z,oops,kWh\n"
            .write(toFile: "\(w.incoming)/\(longest)", atomically: false, encoding: .utf8)
        #expect(eventually { w.exists("rejected/\(longest)") })
        let sideFiles = try FileManager.default.contentsOfDirectory(atPath: "\(w.incoming)/rejected").filter {
            $0.hasSuffix(".errors.json")
        }
        #expect(sideFiles.count == 1, "\(sideFiles)")
        let errors = try JSON.parse(
            String(contentsOfFile: "\(w.incoming)/rejected/\(sideFiles.first ?? "")", encoding: .utf8))
        #expect(errors.value(at: "file") == .string(longest))
        #expect(errors.value(at: "problems.0.reason") == .string("value_not_numeric"))
        #expect(readings(w.conninfo) == 2)

        // The same bytes under the same 250-byte name again: a duplicate, moved under a numbered name that fits.
        try Self.good.write(toFile: "\(w.incoming)/\(long)", atomically: false, encoding: .utf8)
        #expect(
            eventually { (try? FileManager.default.contentsOfDirectory(atPath: "\(w.incoming)/processed"))?.count == 2 }
        )
        #expect(!w.exists(long))
        #expect(try scalar(w.conninfo, "select count(*) from jcm.batches where kind = 'duplicate_file'") == "1")
        #expect(try scalar(w.conninfo, "select count(*) from jcm.rejections where reason = 'database_error'") == "0")
    }

    /// A writer appending a row every second holds its file open when the daemon starts. Before,
    /// the scan took the first rows and moved the file away while it was still being written;
    /// now the file is taken when its writer closes it, whole.
    @Test func aFileStillBeingWrittenAtStartIsTakenWhenItsWriterClosesIt() throws {
        let dir = TempDir()
        let incoming = dir.file("incoming")
        try FileManager.default.createDirectory(atPath: incoming, withIntermediateDirectories: true)
        let path = "\(incoming)/slow.csv"
        let writer = try #require(
            FileHandle(forWritingAtPath: FileManager.default.createFile(atPath: path, contents: nil) ? path : ""))
        writer.write(Data("meter_id,timestamp,value,unit\nPV-1,2026-11-01T00:00:00Z,1,kWh\n".utf8))
        // Old enough that the quiet period alone would take it.
        var old = [timespec(tv_sec: time(nil) - 60, tv_nsec: 0), timespec(tv_sec: time(nil) - 60, tv_nsec: 0)]
        utimensat(AT_FDCWD, path, &old, 0)

        let conninfo = try TestCluster.freshDatabase()
        let running = DaemonTests.Running(
            Daemon(config: try Fixtures.config(watchDir: incoming), conninfo: conninfo, logger: TestCluster.logger))
        defer { _ = running.stop() }
        // A canary dropped after the slow file proves the scan and the writer have run past it.
        try Self.canary.write(toFile: "\(incoming)/canary.csv", atomically: true, encoding: .utf8)
        #expect(eventually { FileManager.default.fileExists(atPath: "\(incoming)/processed/canary.csv") })
        for hour in 1...3 {
            writer.write(Data("PV-1,2026-11-01T0\(hour):00:00Z,\(hour + 1),kWh\n".utf8))
            utimensat(AT_FDCWD, path, &old, 0)
            Thread.sleep(forTimeInterval: 1)
        }
        #expect(FileManager.default.fileExists(atPath: path), "still in the folder while open")
        #expect(readings(conninfo) == 1, "only the canary's row")
        try writer.close()
        #expect(eventually { FileManager.default.fileExists(atPath: "\(incoming)/processed/slow.csv") })
        #expect(readings(conninfo) == 5, "the canary and all four rows of the slow file")
        #expect(!FileManager.default.fileExists(atPath: "\(incoming)/rejected/slow.csv"))
    }

    /// A hard link made in the folder while the daemon runs is taken at once, as a scan at start
    /// takes it (before, it waited for the next start).
    @Test func aHardLinkMadeWhileRunningIsTakenAtOnce() throws {
        let w = try Watched()
        defer { _ = w.running.stop() }
        let outside = w.dir.write("outside.csv", Self.good)
        try Self.canary.write(toFile: "\(w.incoming)/canary.csv", atomically: true, encoding: .utf8)
        #expect(eventually { w.exists("processed/canary.csv") })
        #expect(link(outside, "\(w.incoming)/linked.csv") == 0)
        #expect(eventually { w.exists("processed/linked.csv") })
        #expect(readings(w.conninfo) == 2)
        #expect(FileManager.default.fileExists(atPath: outside), "the original name is left alone")
    }

    /// A lone surrogate (`\ud800`) is invalid JSON under RFC 8259's strict reading: the element is
    /// refused with that reason. Before, it was stored with U+FFFD in its place.
    @Test func aLoneSurrogateIsInvalidJSONNotAReplacementCharacter() throws {
        let w = try Watched()
        defer { _ = w.running.stop() }
        try #"""
        {"readings": [
          {"meter_id": "PV-1", "timestamp": "2026-11-01T00:00:00Z", "value": 1, "unit": "kWh"},
          {"meter_id": "PV-\ud800", "timestamp": "2026-11-01T01:00:00Z", "value": 2, "unit": "kWh"}
        ]}
        """#.write(toFile: "\(w.incoming)/surrogate.json", atomically: true, encoding: .utf8)
        #expect(eventually { w.exists("rejected/surrogate.json.errors.json") })
        let errors = try String(contentsOfFile: "\(w.incoming)/rejected/surrogate.json.errors.json", encoding: .utf8)
        #expect(errors.contains("lone high surrogate"), "\(errors)")
        #expect(!errors.contains("\u{FFFD}"))
        let replaced = try scalar(
            w.conninfo,
            """
            select count(*) from (select meter_id t from jcm.rejections union all select raw from jcm.rejections
            union all select location from jcm.rejections) x where t like '%' || chr(65533) || '%'
            """)
        #expect(replaced == "0")
    }
}
