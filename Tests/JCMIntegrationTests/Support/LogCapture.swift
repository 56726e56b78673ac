import Foundation
import Logging

/// What a daemon under test logs, one line per event (`level msg key=value ...`): the
/// operator's view in the journal, for tests of what it says and what it must never say.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [String] = []

    var logger: Logger {
        var l = Logger(label: "capture") { _ in Handler(capture: self) }
        l.logLevel = .debug
        return l
    }

    var lines: [String] { lock.withLock { events } }

    /// Lines holding every one of `fragments`.
    func count(_ fragments: String...) -> Int {
        lines.filter { line in fragments.allSatisfy { line.contains($0) } }.count
    }

    fileprivate func append(_ line: String) { lock.withLock { events.append(line) } }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append(
                ([event.level.rawValue, event.message.description] + merged.keys.sorted().map { "\($0)=\(merged[$0]!)" })
                    .joined(separator: " "))
        }
    }
}
