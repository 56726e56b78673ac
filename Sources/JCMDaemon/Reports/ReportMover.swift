import Foundation
import JCMCore

/// Moves a finished report out of the watched folder, beside its errors file when it has one.
/// Never overwrites and never deletes: a name already taken gets a numbered suffix. Every name
/// made here fits NAME_MAX (FileNames), however long the report's own name.
enum ReportMover {
    static func move(_ path: String, into dir: String) throws -> String {
        // A NUL would cut the name where the kernel reads it: another file's name, overwritten.
        guard !path.utf8.contains(0) else {
            throw CocoaError(.fileWriteInvalidFileName, userInfo: [NSLocalizedDescriptionKey: "a file name with NUL"])
        }
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let name = (path as NSString).lastPathComponent
        var target = (dir as NSString).appendingPathComponent(name)
        var n = 1
        while fm.fileExists(atPath: target) || (try? fm.destinationOfSymbolicLink(atPath: target)) != nil {
            let base = (name as NSString).deletingPathExtension
            let ext = (name as NSString).pathExtension
            target = (dir as NSString).appendingPathComponent(
                FileNames.fitting(base, suffix: ext.isEmpty ? ".\(n)" : ".\(n).\(ext)"))
            n += 1
        }
        guard rename(path, target) == 0 else {
            throw CocoaError(
                .fileWriteUnknown,
                userInfo: [
                    NSLocalizedDescriptionKey: "cannot move \(path) to \(target): \(String(cString: strerror(errno)))"
                ])
        }
        return target
    }

    /// Where a report's errors are written while it is read: hidden, in rejected/.
    static func temporaryErrorsPath(for name: String, in dir: String) -> String {
        (dir as NSString).appendingPathComponent(FileNames.fitting(name, prefix: ".", suffix: ".errors.json.part"))
    }

    /// The errors file beside a report moved to `target`: NAME.errors.json, shortened if need be.
    static func errorsPath(for target: String) -> String {
        let dir = (target as NSString).deletingLastPathComponent
        return (dir as NSString).appendingPathComponent(
            FileNames.fitting((target as NSString).lastPathComponent, suffix: ".errors.json"))
    }

    /// Gives the finished errors file its final name without replacing a file already there
    /// (link, then unlink: rename would overwrite).
    static func publishErrors(_ temporary: String, beside target: String) {
        let wanted = errorsPath(for: target)
        var final = wanted
        var n = 1
        while link(temporary, final) != 0 {
            guard errno == EEXIST, n < 1000 else { return }
            let dir = (wanted as NSString).deletingLastPathComponent
            final = (dir as NSString).appendingPathComponent(
                FileNames.fitting((target as NSString).lastPathComponent, suffix: ".\(n).errors.json"))
            n += 1
        }
        unlink(temporary)
    }
}

/// Streams NAME.errors.json: every problem of a file, by line, written as they are found so a
/// file with a million bad rows does not hold them in memory.
final class ErrorsFile {
    private let handle: FileHandle
    let path: String
    private var count = 0

    /// Created new (O_EXCL): an errors file never replaces a file, a report's bytes least of all.
    init(path: String, file: String) throws {
        self.path = path
        let fd = path.utf8.contains(0) ? -1 : open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            if OutOfDescriptors.isResourceShortage(errno) {
                throw OutOfDescriptors(what: "errors_file", path: path, code: errno)
            }
            throw CocoaError(
                .fileWriteUnknown,
                userInfo: [NSLocalizedDescriptionKey: "cannot create \(path): \(String(cString: strerror(errno)))"])
        }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        write("{\"file\":\(Self.quote(file)),\"problems\":[\n")
    }

    func add(_ p: FileProblem) {
        if count > 0 { write(",\n") }
        write(p.json.compactText)
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

    static func quote(_ s: String) -> String { JSONValue.string(s).compactText }
}
