import Foundation
import JCMCore
import JCMPostgres
import Testing

/// `jcm-ingestd verify` as a verifier runs it: exit codes, a database named without a
/// configuration, findings one line per kind and chain.
@Suite("verify for verifiers")
struct VerifyCommandTests {
    static func run(_ args: [String], environment: [String: String]? = nil) throws -> (
        status: Int32, out: String, err: String
    ) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
        p.arguments = args
        if let environment { p.environment = environment }
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

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)))
    func exitCodesConninfoAndGroupedFindings() throws {
        let conninfo = try LedgerTests().populated()
        let intact = try Self.run(["verify", "--conninfo", conninfo])
        #expect(intact.status == 0, "\(intact)")
        #expect(intact.out.contains("\nintact: "), "\(intact.out)")

        // libpq's environment alone, no configuration file.
        var env = ["PATH": "/usr/bin:/bin"]
        for pair in conninfo.split(separator: " ") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if let name = ["host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "dbname": "PGDATABASE"][kv[0]] {
                env[name] = kv[1].trimmingCharacters(in: ["'"])
            }
        }
        let fromEnv = try Self.run(["verify"], environment: env)
        #expect(fromEnv.status == 0, "\(fromEnv)")

        // Could not check: exit 2, not 1.
        let unreachable = try Self.run(["verify", "--conninfo", "host=/nonexistent dbname=x connect_timeout=2"])
        #expect(unreachable.status == 2, "\(unreachable)")
        #expect(unreachable.err.contains("could not check"), "\(unreachable.err)")
        let noConfig = try Self.run(["verify", "--config", "/nonexistent/jcm.toml"])
        #expect(noConfig.status == 2, "\(noConfig)")

        // A wrong pinned key: one line per chain, not one per link.
        let links = try #require(
            try scalar(conninfo, "select count(*) from jcm.ledger where signature is not null").flatMap(Int.init))
        let wrongKey = try Self.run([
            "verify", "--conninfo", conninfo, "--public-key", String(repeating: "ab", count: 32),
        ])
        #expect(wrongKey.status == 1)
        let lines = wrongKey.out.split(separator: "\n")
        let signatureLines = lines.filter { $0.contains("signature not valid for the pinned key") }
        #expect(
            signatureLines.count
                == Set(
                    try rows(conninfo, "select distinct project from jcm.ledger where signature is not null").map {
                        $0[0]
                    }
                ).count,
            "\(wrongKey.out)")
        #expect(
            signatureLines.reduce(0) { n, line in n + (Int(line.split(separator: ": ")[2].prefix { $0.isNumber }) ?? 0)
            } == links, "\(wrongKey.out)")

        // Every reading changed: one grouped line with the count; --all lists each.
        try Connection(conninfo: conninfo).execute(
            "set session_replication_role = replica; update jcm.readings set raw_unit = raw_unit || ' '")
        let readings = try #require(try scalar(conninfo, "select count(*) from jcm.readings").flatMap(Int.init))
        let grouped = try Self.run(["verify", "--conninfo", conninfo])
        #expect(grouped.status == 1)
        let changed = grouped.out.split(separator: "\n").filter { $0.contains(": reading changed: ") }
        #expect(changed.count == 1, "\(grouped.out)")
        #expect(
            changed.first?.hasPrefix("chain IN-JP-0001: reading changed: \(readings) (link") == true, "\(grouped.out)")
        let all = try Self.run(["verify", "--conninfo", conninfo, "--all"])
        #expect(all.status == 1)
        #expect(
            all.out.split(separator: "\n").filter { $0.contains("was changed since it was sealed") }.count == readings,
            "\(all.out)")
        #expect(!all.err.contains("readings checked"), "no progress line when stderr is not a terminal")
    }

    @Test func findingsAreGroupedByChainAndKindWithTheirFirstAndLastPlace() {
        var groups = LedgerFindingGroups()
        for seq: Int64 in [7, 3, 9] {
            groups.add(LedgerFinding(kind: "record changed", chain: "P", place: .link(seq), line: "line \(seq)"))
        }
        groups.add(LedgerFinding(kind: "batch in no link", chain: nil, place: .batch(4), line: "batch 4"))
        #expect(
            groups.lines == [
                "chain P: record changed: 3 (links #3…#9); the first: line 7",
                "chain (no chain): batch in no link: 1 (batch 4): batch 4",
            ])
    }
}
