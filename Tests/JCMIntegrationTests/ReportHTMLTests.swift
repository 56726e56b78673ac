import Foundation
import JCMCore
import Testing

/// `report --format html` of the worked period (a gap, a reset, a calibration lapse), loaded in
/// a real browser: headless Chromium dumps the DOM it built and takes a screenshot.
@Suite("the HTML report in a browser")
struct ReportHTMLTests {
    let worked = PeriodReportTests()

    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static var toolsPresent: Bool {
        chromium != nil && FileManager.default.isExecutableFile(atPath: CommandLineTests.binary)
    }

    static func browser(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium!)
        // Root (CI) needs --no-sandbox; the page has no script to sandbox anyway.
        p.arguments =
            ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"] + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.enabled(if: toolsPresent))
    func theWorkedPeriodInABrowser() throws {
        let conninfo = try TestCluster.freshDatabase()
        let text = worked.config(
            conninfo, calculation: "pv-grid.toml", values: #"EF_grid = "0.7""#,
            meters: PeriodReportTests.meter("PV-1", parameter: "EG_p", validUntil: "2027-01-01T00:00:00Z")
                + PeriodReportTests.meter("PV-2", parameter: "EG_p", validUntil: "2026-10-01T03:30:00Z"),
            parameters: ReportWorkbookTests.plan)
        // PV-1 with a gap (hour 3) and a reset (hour 5); PV-2 lapsed after 03:30.
        let pv1Rows = [(0, 1_000_000), (1, 1_100_000), (2, 1_250_000), (4, 1_400_000), (5, 20_000), (6, 120_000)]
            .map { ("PV-1", $0.0, $0.1) }
        let pv2Rows = (0...6).map { ("PV-2", $0, 500_000 + 100_000 * $0) }
        let (config, _) = try worked.ingest(text, [("logger.csv", PeriodReportTests.csv(pv1Rows + pv2Rows))])
        let declared = try CommandLineTests.run([
            "period", "declare", "-c", config, "--project", "IN-JP-0001", "--name", "MR-1",
            "--start", "2026-10-01T00:00:00Z", "--end", "2026-10-01T06:00:01Z",
        ])
        #expect(declared.status == 0, "\(declared.err)")

        let page = worked.dir.path + "/MR-1.html"
        let written = try CommandLineTests.run([
            "report", "-c", config, "--project", "IN-JP-0001", "--period", "MR-1", "--format", "html", "-o", page,
        ])
        #expect(written.status == 0, "\(written.err)")
        #expect(written.err.contains("report IN-JP-0001 MR-1: wrote \(page)\n"), "\(written.err)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(!html.contains("<script"), "no scripts")
        #expect(!html.contains("http://") || !html.contains("src=\"http"), "nothing fetched")

        let dom = try Self.browser(["--dump-dom", "file://" + page])
        #expect(dom.status == 0)
        // The browser parsed the SVG charts: one series per meter, the waterfalls, the heat map.
        #expect(
            dom.output.components(separatedBy: #"<svg class="chart" data-meter="PV-1""#).count == 2,
            "\(dom.output.prefix(300))")
        #expect(dom.output.components(separatedBy: #"<svg class="chart" data-meter="PV-2""#).count == 2)
        #expect(dom.output.components(separatedBy: #"class="series""#).count == 3, "one line per meter")
        #expect(dom.output.contains(#"<svg class="waterfall""#))
        #expect(dom.output.contains(#"<svg class="heatmap""#))
        // The waterfall ends on the rounded result, and its numbers link to the equations.
        #expect(dom.output.contains(">782<"), "the rounded ER printed")
        #expect(dom.output.contains(##"href="#equations""##))
        #expect(dom.output.contains(#"id="meter-PV-1""#))
        // The events a verifier looks for, marked on the charts.
        for mark in ["gap", "reset", "lapse"] {
            #expect(dom.output.contains(#"class="m-\#(mark)""#), "\(mark) marked")
        }
        #expect(dom.output.contains(#"class="s-missing""#) && dom.output.contains(#"class="s-lapsed""#))

        let png = worked.dir.path + "/MR-1.png"
        let shot = try Self.browser(["--screenshot=" + png, "--window-size=1100,1500", "file://" + page])
        #expect(shot.status == 0)
        let pixels = try CheckpointTests.python([
            "-c",
            """
            import sys
            from PIL import Image
            image = Image.open(sys.argv[1]).convert("RGB")
            print(image.size[0], len(image.getcolors(1 << 24)))
            """,
            png,
        ])
        let counts = pixels.output.split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(counts.first == 1100, "\(pixels.output)")
        #expect((counts.last ?? 0) > 50, "the screenshot is not blank: colours: \(pixels.output)")
        if let keep = ProcessInfo.processInfo.environment["JCM_REPORT_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: png, toPath: keep)
        }
    }
}
