import Foundation
import JCMCore
import Testing

/// Every ```sql block of README.md and docs/*.md runs, with psql, against the schema the demo
/// builds (config/demo.toml's projects and meters, polled, with a report and a down meter), in a
/// transaction rolled back at the end. A documented query that breaks fails here, naming its
/// file and line. Blocks run in order in one session per file, so a block may use what an
/// earlier one defined (docs/verification.md's pg_temp.f).
@Suite("documented SQL")
struct DocsSQLTests {
    /// Objects other branches add to the schema. A block naming one runs only once the database
    /// has it; nothing else is skipped.
    static let notYetEverywhere = ["jcm.checkpoints"]

    struct Block {
        var file: String
        var line: Int
        var sql: String
    }

    static func blocks() throws -> [Block] {
        let repo = DemoDaemon.repo
        let docs = try FileManager.default.contentsOfDirectory(atPath: repo.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        var out: [Block] = []
        for file in ["README.md"] + docs {
            let lines = try String(contentsOf: repo.appendingPathComponent(file), encoding: .utf8).components(
                separatedBy: "\n")
            var i = 0
            while i < lines.count {
                guard lines[i].trimmingCharacters(in: .whitespaces) == "```sql" else {
                    i += 1
                    continue
                }
                let start = i + 1
                var body: [String] = []
                i += 1
                while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces) != "```" {
                    body.append(lines[i])
                    i += 1
                }
                out.append(Block(file: file, line: start, sql: body.joined(separator: "\n")))
                i += 1
            }
        }
        return out
    }

    @Test func everyDocumentedQueryRunsOnTheDemosSchema() throws {
        let blocks = try Self.blocks()
        #expect(blocks.count >= 25, "found \(blocks.count) sql blocks")
        #expect(Set(blocks.map(\.file)).isSuperset(of: ["README.md", "docs/schema.md", "docs/verification.md"]))
        let demo = try DemoDaemon()
        #expect(demo.stop())
        let present = Set(
            try Self.notYetEverywhere.filter {
                try scalar(demo.conninfo, "select to_regclass($1) is not null", [$0]) == "t"
            })
        let dir = TempDir()
        for file in Set(blocks.map(\.file)).sorted() {
            var script = "\\set ON_ERROR_STOP 1\nbegin;\n"
            for b in blocks where b.file == file {
                if let missing = Self.notYetEverywhere.first(where: { b.sql.contains($0) && !present.contains($0) }) {
                    print("\(b.file):\(b.line): skipped until the schema has \(missing)")
                    continue
                }
                script += "\\echo BLOCK \(b.file):\(b.line)\n\(b.sql)\n;\n"
            }
            script += "rollback;\n"
            let path = dir.write(file.replacingOccurrences(of: "/", with: "_") + ".sql", script)
            let r = try Self.psql(demo.conninfo, path)
            let last =
                r.out.split(separator: "\n").last { $0.hasPrefix("BLOCK ") }.map { String($0.dropFirst(6)) } ?? file
            #expect(r.status == 0, "\(last): \(r.err)")
        }
    }

    static func psql(_ conninfo: String, _ file: String) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        p.arguments = ["-X", "-q", "-o", "/dev/null", "-L", "/dev/null", "-d", conninfo, "-f", file]
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
}
