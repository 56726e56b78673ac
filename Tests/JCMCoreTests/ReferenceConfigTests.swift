import Foundation
import Testing

@testable import JCMCore

/// config/jcm-ingestd.toml documents every key; its commented-out tables (a line `# [[name]]`
/// alone, then `# key = value` lines up to a blank line) and its example setup (`#[[name]]`,
/// `#key = value`) must load once uncommented, and the defaults their examples restate must be
/// the parser's. As shipped it configures nothing.
@Suite("the reference configuration")
struct ReferenceConfigTests {
    static let file = ShippedMethodology.folder.deletingLastPathComponent().appendingPathComponent("jcm-ingestd.toml")
        .path

    /// The file with its commented-out tables uncommented, leaving out the keys in `dropping`
    /// from them; and how many tables it uncommented.
    static func enabled(dropping: Set<String> = []) throws -> (text: String, tables: Int) {
        let lines = try String(contentsOfFile: file, encoding: .utf8).components(separatedBy: "\n")
        var out: [String] = []
        var inTable = false
        var tables = 0
        for line in lines {
            if line.wholeMatch(of: /# \[\[[a-z.]+\]\]/) != nil {
                inTable = true
                tables += 1
                out.append(String(line.dropFirst(2)))
            } else if inTable, line.hasPrefix("# ") {
                let body = line.dropFirst(2)
                let key = body.prefix { $0 != " " && $0 != "=" }
                #expect(body.contains(" = "), "not a key line inside a commented-out table: \(line)")
                if !dropping.contains(String(key)) { out.append(String(body)) }
            } else if line.wholeMatch(of: /#(\[\[[a-z.]+\]\]|[a-z_.]+ = .*)/) != nil {
                // The example setup, shipped commented out with "#" directly before each line.
                inTable = false
                out.append(String(line.dropFirst()))
            } else {
                inTable = false
                out.append(line)
            }
        }
        return (out.joined(separator: "\n"), tables)
    }

    /// Installed as /etc/jcm-ingestd/config.toml, it must not poll a made-up meter nor write a
    /// made-up project into the database.
    @Test func asShippedItConfiguresNothing() throws {
        let config = try Config.parse(String(contentsOfFile: Self.file, encoding: .utf8), file: Self.file)
        #expect(config.projects.isEmpty && config.meters.isEmpty && config.parameters.isEmpty)
        #expect(config.watches.isEmpty && config.uploads.isEmpty)
        #expect(config.isEmpty)
    }

    @Test func itsExampleSetupLoadsOnceUncommented() throws {
        let config = try Config.parse(try Self.enabled().text, file: Self.file)
        #expect(config.projects.map(\.id) == ["IN-JP-0001"])
        #expect(config.meters.map(\.id).prefix(2) == ["IN-JP-0001-PV-M1", "IN-JP-0001-PV-LOGGER"])
        #expect(config.meters[0].poll?.url == "http://10.20.0.15/api/v1/meters/1")
        #expect(config.watches.map(\.dir) == ["/var/lib/jcm-ingestd/incoming"])
    }

    @Test func itsCommentedOutTablesLoad() throws {
        let (text, tables) = try Self.enabled()
        #expect(tables >= 4)
        let config = try Config.parse(text, file: Self.file)
        #expect(config.uploads.map(\.id) == ["contractor-a", "bucket"])
        #expect(config.uploads.map(\.listing) == [.nginxJSON, .s3])
        #expect(config.uploads[1].region == "ap-south-1" && config.uploads[1].prefix == "IN-JP-0001/")
        let meters = Dictionary(uniqueKeysWithValues: config.meters.map { ($0.id, $0) })
        // The Fronius meter's archive request is derived from its url's host.
        let fronius = try #require(meters["IN-JP-0001-PV-M3"]?.poll?.backfill)
        #expect(
            fronius.url
                == "http://10.20.0.40/solar_api/v1/GetArchiveData.cgi?Scope=System&StartDate={start}&EndDate={end}&Channel=EnergyReal_WAC_Minus_Absolute"
        )
        #expect(fronius.profile.format == "fronius-archive")
        // The windowed CSV meter fills its gaps with its own request.
        let csv = try #require(meters["IN-JP-0001-PV-M4"]?.poll)
        #expect(csv.isWindowed && csv.backfill?.url == csv.url)
        #expect(
            csv.payload
                == .gateway(CSVProfile(columns: .init(value: "energy_kwh", timestamp: "period_end", unit: "kWh"))))
    }

    /// The examples write some keys at their default: without those lines, nothing changes.
    @Test func theDefaultsItStatesAreTheParsers() throws {
        let restated: Set<String> = [
            "backfill.horizon", "backfill.max_span", "backfill.pause", "backfill.timeout",
            "backfill.max_response_bytes",
            "connect_timeout", "timeout", "low_speed_limit", "low_speed_time", "max_file_bytes",
        ]
        let full = try Config.parse(try Self.enabled().text, file: Self.file)
        let bare = try Config.parse(try Self.enabled(dropping: restated).text, file: Self.file)
        #expect(bare.uploads == full.uploads)
        #expect(bare.meters.map(\.poll) == full.meters.map(\.poll))
        #expect(try Self.enabled(dropping: restated).text != (try Self.enabled().text))
    }
}
