import Foundation

/// Moves a finished report out of the watched folder, beside its errors file when it has one.
/// Never overwrites and never deletes: a name already taken gets a numbered suffix.
enum ReportMover {
    static func move(_ path: String, into dir: String) throws -> String {
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let name = (path as NSString).lastPathComponent
        var target = (dir as NSString).appendingPathComponent(name)
        var n = 1
        while fm.fileExists(atPath: target) || (try? fm.destinationOfSymbolicLink(atPath: target)) != nil {
            let base = (name as NSString).deletingPathExtension
            let ext = (name as NSString).pathExtension
            target = (dir as NSString).appendingPathComponent(ext.isEmpty ? "\(base).\(n)" : "\(base).\(n).\(ext)")
            n += 1
        }
        guard rename(path, target) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot move \(path) to \(target): \(String(cString: strerror(errno)))"])
        }
        return target
    }
}

/// Streams NAME.errors.json: every problem of a file, by line, written as they are found so a
/// file with a million bad rows does not hold them in memory.
final class ErrorsFile {
    private let handle: FileHandle
    let path: String
    private var count = 0
    private let encoder = JSONEncoder()

    init(path: String, file: String) throws {
        self.path = path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let h = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot write \(path)"])
        }
        handle = h
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        write("{\"file\":\(Self.quote(file)),\"problems\":[\n")
    }

    func add(_ p: FileProblem) {
        guard let data = try? encoder.encode(p) else { return }
        if count > 0 { write(",\n") }
        write(String(decoding: data, as: UTF8.self))
        count += 1
    }

    func close(summary: String, sha256: String?) {
        write("\n],\"sha256\":\(sha256.map(Self.quote) ?? "null"),\"summary\":\(Self.quote(summary))}\n")
        try? handle.close()
    }

    /// Set when a write failed (a full disk): the file is then incomplete, and says so nowhere
    /// but in the log, which the writer checks.
    private(set) var failed: Error?

    private func write(_ text: String) {
        guard failed == nil else { return }
        do { try handle.write(contentsOf: Data(text.utf8)) } catch { failed = error }
    }

    static func quote(_ s: String) -> String {
        String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
