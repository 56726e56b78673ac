import Foundation
import JCMCore
import JCMDaemon
import Logging

/// One line per event in logfmt (`level=info msg="…" meter.id=…`), on stderr: journald adds the
/// time and the unit, and `journalctl -o cat` stays readable.
struct LogfmtHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    let label: String

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = "level=\(event.level) msg=\(Self.quote(event.message.description))"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() { line += " \(key)=\(Self.quote("\(merged[key]!)"))" }
        line += "\n"
        // write(2), not FileHandle.write, which traps when stderr is a closed pipe or a full disk.
        _ = line.withCString { Glibc.write(2, $0, strlen($0)) }
    }

    /// Control characters escaped (LogText): file names and listings are untrusted.
    static func quote(_ s: String) -> String { LogText.logfmtValue(s) }
}

enum Log {
    private static let bootstrapped: Void = LoggingSystem.bootstrap { LogfmtHandler(label: $0) }

    static func make(level: String) -> Logger {
        _ = bootstrapped
        var logger = Logger(label: "jcm-ingestd")
        logger.logLevel = Logger.Level(rawValue: level) ?? .info
        return logger
    }
}

extension ConfigOption {
    /// Reads and checks the configuration, printing every problem before failing.
    func load() throws -> Config {
        let text: String
        do {
            text = try String(contentsOfFile: config, encoding: .utf8)
        } catch {
            throw ValidationErrorMessage("cannot read configuration \(config): \(error.localizedDescription)")
        }
        // Every relative path (state_dir, folders, calculation) is relative to the configuration's
        // own folder, wherever the command runs: under systemd that is "/", in a shell anywhere.
        let file = URL(
            fileURLWithPath: config, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        ).standardizedFileURL.path
        do {
            return try Config.parse(text, file: file, readTOML: MallocArenas.apart(TOML.parse)).resolvingPaths(
                against: (file as NSString).deletingLastPathComponent)
        } catch {
            throw ValidationErrorMessage(
                "\(error.problems.count) problem\(error.problems.count == 1 ? "" : "s") in the configuration:\n\(error)"
            )
        }
    }

    func logger(_ config: Config) throws -> Logger {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationErrorMessage(
                "--log-level \(logLevel) is not one of trace, debug, info, notice, warning, error, critical")
        }
        return Log.make(level: logLevel ?? config.daemon.logLevel)
    }
}

/// An error whose text is the whole message (no "Error:" noise from a type name).
struct ValidationErrorMessage: Error, CustomStringConvertible {
    var description: String
    init(_ text: String) { description = text }
}
