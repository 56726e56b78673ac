import ArgumentParser
import Foundation
import JCMCore
import JCMDaemon

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ingest report files once, through the same pipeline as the watched folder.",
        discussion: """
            Prints a summary per file: rows accepted, flagged and rejected, and the first rejected rows with their reasons. \
            Files stay where they are (nothing is moved); a file already ingested (same SHA-256) is \
            recorded as a duplicate. Exits 0 when every file was processed, 2 when any had rejected rows \
            or could not be read.
            """)

    @OptionGroup var options: ConfigOption

    @Option(
        help: ArgumentHelp(
            "IANA time zone for timestamps without an offset (like a watched folder's timezone).", valueName: "zone"))
    var timezone: String?

    @Option(help: ArgumentHelp("The sheet of .xlsx files to read (default: the first).", valueName: "name"))
    var sheet: String?

    @Argument(help: ArgumentHelp("Report files (CSV, JSON or .xlsx).", valueName: "file"))
    var files: [String]

    func run() throws {
        let config = try options.load()
        let logger = try options.logger(config)
        if let timezone, TimeZone(identifier: timezone) == nil {
            throw ValidationErrorMessage("unknown time zone \(timezone)")
        }
        let target = try DatabaseTarget.resolve(config, logger: logger)
        defer { target.stop(logger: logger) }
        var context = try IngestContext.open(conninfo: target.conninfo, config: config, logger: logger)
        var ingestor = ReportIngestor(store: context.store, batchRows: config.database.batchRows, logger: logger)
        ingestor.logger.logLevel = max(ingestor.logger.logLevel, .warning)
        ingestor.sheet = sheet
        var failed = false
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for file in files.map({ URL(fileURLWithPath: $0, relativeTo: cwd).standardizedFileURL.path }) {
            let bar = ProgressBar(name: (file as NSString).lastPathComponent)
            let summary = try ingestor.ingest(
                path: file, zone: timezone, validator: &context.validator, progress: bar.update)
            bar.clear()
            print(summary.oneLine)
            for p in summary.firstProblems {
                print("  \(p.line.map { "line \($0): " } ?? "")\(p.reason): \(p.detail)")
            }
            if summary.problemCount > summary.firstProblems.count {
                print(
                    "  … and \(summary.problemCount - summary.firstProblems.count) more (all in jcm.rejections, batch \(summary.batch.map(String.init) ?? "-"))"
                )
            }
            switch summary.outcome {
            case .processed, .duplicate: break
            case .rejected, .refused: failed = true
            }
        }
        if failed { throw ExitCode(2) }
    }
}

/// A one-line progress bar on stderr, only when stderr is a terminal and the file is large.
final class ProgressBar {
    let name: String
    let enabled = isatty(2) == 1
    let started = Date()
    var shown = false

    init(name: String) { self.name = name }

    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 8 << 20 else { return }
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let rate = Double(done) / max(0.001, Date().timeIntervalSince(started)) / 1_048_576
        let line = String(
            format: "\r%@ [%@%@] %3.0f%% %.1f MB/s", name, String(repeating: "#", count: filled),
            String(repeating: " ", count: width - filled), fraction * 100, rate)
        FileHandle.standardError.write(Data(line.utf8))
        shown = true
    }

    func clear() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
