import Foundation
import JCMDaemon
import Testing

/// Every metric the daemon emits is described on /metrics and in docs/operations.md: the names
/// are read from the sources, so a counter added without either fails here.
@Suite("metrics: every name described")
struct MetricsTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The names passed to metrics.add / set / gauge anywhere under Sources/JCMDaemon.
    static func emittedNames() throws -> Set<String> {
        let root = repo.appendingPathComponent("Sources/JCMDaemon")
        let pattern = try Regex(#"metrics\.(add|set|gauge)\("(jcm_[a-z_]+)""#)
        var names: Set<String> = []
        for case let file as String in FileManager.default.enumerator(atPath: root.path) ?? .init()
        where file.hasSuffix(".swift") {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: pattern) {
                if let name = match.output[2].substring { names.insert(String(name)) }
            }
        }
        return names
    }

    @Test func everyEmittedMetricHasHelpAndIsDocumented() throws {
        let names = try Self.emittedNames()
        // The features that added metrics are among those found, so the scan itself works.
        #expect(
            names.isSuperset(of: [
                "jcm_polls_total", "jcm_upload_listings_total", "jcm_upload_downloads_total",
                "jcm_backfill_requests_total", "jcm_backfill_readings_total",
            ]))
        let metrics = Metrics()
        for name in names { metrics.add(name) }
        let text = metrics.render()
        let operations = try String(contentsOf: Self.repo.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        for name in names.sorted() {
            #expect(text.contains("# HELP \(name) "), "\(name) has no HELP text in Metrics.help")
            #expect(text.contains("# TYPE \(name) "), "\(name) has no TYPE in Metrics.help")
            #expect(operations.contains(name), "\(name) is not in docs/operations.md")
        }
    }
}
