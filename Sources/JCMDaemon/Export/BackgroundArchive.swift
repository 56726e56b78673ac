import Foundation
import JCMCore
import ZIPFoundation

/// A zip archive written on a thread of its own, from parts handed to it in order: a scratch
/// file (deflated in chunks, then removed) or a text. The archive never leaves that thread; the
/// two sides share only the queue. At most one file waits, so scratch files on disk stay two.
final class BackgroundArchive: Sendable {
    private enum Part: Sendable {
        case file(String, entry: String)
        case text(String, entry: String)
    }

    private struct State: Sendable {
        var queue: [Part] = []
        var closed = false
        var abandoned = false
        var finished = false
        var failure: String?
    }

    private let state = WaitableMutex(State())

    /// The archive is created on the thread, and used nowhere else; a failure to create it
    /// comes back from `finish`.
    init(path: String) {
        let thread = Thread { [state] in Self.run(path, state) }
        thread.start()
    }

    /// Queues a scratch file, once the one before it is being written; removes it at once when
    /// the archive has failed.
    func add(file: String, as entry: String) {
        let queued = state.wait { s -> WaitableMutex<State>.Step<Bool> in
            if s.failure != nil || s.finished { return .done(false) }
            if s.queue.contains(where: { if case .file = $0 { true } else { false } }) { return .wait(until: nil) }
            s.queue.append(.file(file, entry: entry))
            return .done(true)
        }
        if !queued { try? FileManager.default.removeItem(atPath: file) }
    }

    func add(_ text: String, as entry: String) { state.update { $0.queue.append(.text(text, entry: entry)) } }

    /// Waits until every part is in the archive; throws what went wrong on the way.
    func finish() throws {
        state.update { $0.closed = true }
        let failure = state.wait { s in s.finished ? .done(s.failure) : .wait(until: nil) }
        if let failure { throw WorkbookFailure(description: failure) }
    }

    /// Stops after the part in hand, removing the scratch files not written.
    func abandon() {
        state.update { $0.abandoned = true }
        state.wait { s in s.finished ? .done(()) : .wait(until: nil) }
    }

    private static func run(_ path: String, _ state: WaitableMutex<State>) {
        defer { state.update { $0.finished = true } }
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        } catch {
            state.update { $0.failure = "cannot write \(path): \(error)" }
            return
        }
        while true {
            let next: Part? = state.wait { s in
                if s.abandoned || s.failure != nil {
                    for case .file(let path, _) in s.queue { try? FileManager.default.removeItem(atPath: path) }
                    s.queue = []
                    return .done(nil)
                }
                if !s.queue.isEmpty { return .done(s.queue.removeFirst()) }
                return s.closed ? .done(nil) : .wait(until: nil)
            }
            guard let next else { return }
            do {
                switch next {
                case .file(let path, let entry):
                    defer { try? FileManager.default.removeItem(atPath: path) }
                    try archive.addEntry(
                        with: entry, fileURL: URL(fileURLWithPath: path), compressionMethod: .deflate,
                        bufferSize: 1 << 20)
                case .text(let xml, let entry):
                    let data = Data(xml.utf8)
                    try archive.addEntry(
                        with: entry, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
                    ) { position, size in data.subdata(in: Int(position)..<Int(position) + size) }
                }
            } catch {
                state.update { $0.failure = "writing the workbook: \(error)" }
            }
        }
    }
}
