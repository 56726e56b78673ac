import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

/// deploy/grafana and deploy/prometheus: every SQL panel of the dashboard runs, its Grafana
/// macros and variables expanded, against the demo's data and returns rows; every PromQL
/// expression names metrics the daemon serves; the alert rules pass promtool's check and unit
/// tests.
@Suite("dashboard and alerts")
struct DashboardTests {
    static let repo = DemoDaemon.repo
    static let dashboard = repo.appendingPathComponent("deploy/grafana/dashboards/jcm-ingestd.json").path

    /// Grafana's SQL macros and the dashboard's variables as Grafana expands them for the
    /// time range [from, to] (postgres data source, `$__timeFilter(col)` is `col BETWEEN … AND …`).
    static func expand(_ sql: String, from: String, to: String, variables: [String: String]) -> String {
        var out = sql
        let filter = #/\$__timeFilter\(([^()]*(?:\([^()]*\))?[^()]*)\)/#
        out = out.replacing(filter) { m in "\(m.output.1) BETWEEN '\(from)' AND '\(to)'" }
        out = out.replacingOccurrences(of: "$__timeFrom()", with: "'\(from)'").replacingOccurrences(
            of: "$__timeTo()", with: "'\(to)'")
        for (name, value) in variables {
            out = out.replacingOccurrences(of: "${\(name)}", with: value).replacingOccurrences(
                of: "$\(name)", with: value)
        }
        return out
    }

    /// (panel title, target) for each target of each panel.
    static func targets() throws -> [(title: String, target: JSONValue)] {
        let doc = try JSON.parse(String(contentsOfFile: dashboard, encoding: .utf8))
        guard case .array(let panels)? = doc.value(at: "panels") else { return [] }
        return panels.flatMap { p -> [(String, JSONValue)] in
            guard case .array(let ts)? = p.value(at: "targets") else { return [] }
            return ts.map { (p.value(at: "title")?.stringValue ?? "?", $0) }
        }
    }

    static func variables() throws -> [String: String] {
        let doc = try JSON.parse(String(contentsOfFile: dashboard, encoding: .utf8))
        guard case .array(let list)? = doc.value(at: "templating.list") else { return [:] }
        var out: [String: String] = [:]
        for v in list {
            if let n = v.value(at: "name")?.stringValue, let q = v.value(at: "query")?.stringValue { out[n] = q }
        }
        return out
    }

    @Test func everySQLPanelRunsOnTheDemosDataAndReturnsRows() throws {
        let demo = try DemoDaemon()
        defer { demo.stop() }
        let vars = try Self.variables()
        #expect(vars["ef_grid"] == "0.757")
        let sql = try Self.targets().filter { $0.target.value(at: "datasource.type") == .string("postgres") }
        #expect(sql.count >= 9, "\(sql.map(\.title))")
        let db = try Connection(conninfo: demo.conninfo)
        for (title, target) in sql {
            guard let raw = target.value(at: "rawSql")?.stringValue else {
                Issue.record("\(title): no rawSql")
                continue
            }
            let query = Self.expand(raw, from: "2026-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z", variables: vars)
            #expect(!query.contains("$"), "\(title): unexpanded macro or variable in \(query)")
            // Read-only, as the jcm_verifier role the datasource connects as.
            try db.execute("begin read only")
            defer { try? db.execute("rollback") }
            do {
                let result = try db.query(query)
                #expect(result.rowCount > 0, "\(title): no rows from \(query)")
                if title.hasPrefix("Current period") {
                    #expect(result.rows.contains { $0[1] == "EG_p" && $0[5] != nil }, "\(title): \(result.rows)")
                }
            } catch {
                Issue.record("\(title): \(error)\n\(query)")
            }
        }
    }

    @Test func everyPromQLExpressionNamesMetricsTheDaemonServes() throws {
        let help = Self.helpNames()
        #expect(help.contains("jcm_meter_up") && help.contains("jcm_spool_bytes"))
        // From deploy/verify-textfile.sh, and Prometheus' own.
        let external: Set<String> = ["jcm_verify_findings", "jcm_verify_last_run_timestamp_seconds", "up"]
        var expressions = try Self.targets().compactMap { $0.target.value(at: "expr")?.stringValue }
        #expect(expressions.count >= 2)
        let rules = try String(
            contentsOf: Self.repo.appendingPathComponent("deploy/prometheus/jcm-ingestd.rules.yml"), encoding: .utf8)
        // The rules' expressions: not their comments, names or annotations.
        expressions += rules.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter {
                !$0.hasPrefix("#") && !$0.hasPrefix("summary:") && !$0.hasPrefix("description:")
                    && !$0.hasPrefix("- alert:")
            }
        for text in expressions {
            for match in text.matches(of: #/\b(jcm_[a-z_]+|up)\b(?=[\s{\[)=<>*]|$)/#) {
                let name = String(match.output.1)
                #expect(help.contains(name) || external.contains(name), "\(name) is not a metric jcm-ingestd serves")
            }
        }
    }

    /// Every name with a HELP text in Metrics (what /metrics describes).
    static func helpNames() -> Set<String> {
        let m = Metrics()
        for name in [
            "jcm_polls_total", "jcm_meters_down", "jcm_readings_total", "jcm_reports_total", "jcm_database_up",
            "jcm_last_commit_timestamp_seconds", "jcm_writer_backlog", "jcm_spool_bytes", "jcm_spool_age_seconds",
            "jcm_polling_paused", "jcm_meter_up", "jcm_meter_last_reading_timestamp_seconds",
            "jcm_meter_calibration_valid_until_seconds", "jcm_meter_expected_interval_seconds",
            "jcm_meter_readings_total",
        ] {
            m.set(name, 1)
        }
        return Set(
            m.render().split(separator: "\n").compactMap {
                $0.hasPrefix("# HELP ") ? String($0.split(separator: " ")[2]) : nil
            })
    }

    @Test func theAlertRulesPassPromtoolsCheckAndUnitTests() throws {
        let dir = Self.repo.appendingPathComponent("deploy/prometheus").path
        let check = try Self.promtool(["check", "rules", "jcm-ingestd.rules.yml"], in: dir)
        #expect(check.status == 0, "\(check.out)")
        #expect(check.out.contains("SUCCESS: 11 rules found"), "\(check.out)")
        let test = try Self.promtool(["test", "rules", "jcm-ingestd.rules.test.yml"], in: dir)
        #expect(test.status == 0, "\(test.out)")
        #expect(test.out.contains("SUCCESS"), "\(test.out)")
    }

    /// promtool from Debian's prometheus package (deploy/deps.sh installs it).
    static func promtool(_ args: [String], in dir: String) throws -> (status: Int32, out: String) {
        let path = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let path else {
            Issue.record("promtool not found: deploy/deps.sh installs Debian's prometheus package")
            return (-1, "")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
