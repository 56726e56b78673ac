import Foundation
import JCMCore
import Logging
import Synchronization

/// Watches report folders with inotify. A file is taken only once complete: when the writer
/// closes it (IN_CLOSE_WRITE) or it is moved in (IN_MOVED_TO, the atomic way to drop a file).
/// At start it takes what arrived while the daemon was down.
public final class FolderWatcher: Sendable {
    private let watches: [Config.Watch]
    private let logger: Logger
    private let submit: @Sendable (String, Config.Watch) -> Void
    /// What other threads touch: `stop`, and the writer's `finished`.
    private struct State {
        var stopping = false
        /// Files handed to the writer and not yet finished with.
        var pending: Set<String> = []
    }
    private let state = Mutex(State())

    /// What only the watching thread (`run`) keeps: files that may still be written.
    private struct Settling {
        /// Files found by a scan that changed in the last seconds: perhaps still being written by
        /// an uploader that started before we watched. Looked at again until they are quiet.
        var recentlyChanged: Set<String> = []
        /// Files a scan found open for writing (for logging once).
        var seenWriting: Set<String> = []
    }

    public init(watches: [Config.Watch], logger: Logger, submit: @escaping @Sendable (String, Config.Watch) -> Void) {
        self.watches = watches
        self.logger = logger
        self.submit = submit
    }

    /// Names that are not (yet) reports: hidden files and the temporary names uploaders use.
    public static func isCandidate(_ name: String) -> Bool {
        !(name.hasPrefix(".") || name.hasPrefix("~$") || name.hasSuffix(".part") || name.hasSuffix(".tmp")
            || name.hasSuffix(".errors.json"))
    }

    /// Called by the writer once a file has been moved away (or given up), so a later file of
    /// the same name is taken again.
    public func finished(_ path: String) {
        _ = state.withLock { $0.pending.remove(path) }
    }

    public func stop() { state.withLock { $0.stopping = true } }

    public func run() throws {
        let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { throw WatchError(description: "inotify_init1: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var byDescriptor: [Int32: Config.Watch] = [:]
        for watch in watches {
            try FileManager.default.createDirectory(atPath: watch.dir, withIntermediateDirectories: true)
            // IN_CREATE to see links made in place (ln, ln -s), which are never "closed".
            let wd = inotify_add_watch(fd, watch.dir, UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE))
            guard wd >= 0 else {
                throw WatchError(description: "cannot watch \(watch.dir): \(String(cString: strerror(errno)))")
            }
            byDescriptor[wd] = watch
            logger.info("watching folder", metadata: ["dir": "\(watch.dir)"])
        }
        var settling = Settling()
        // After the watches exist, so nothing that lands meanwhile is missed.
        for watch in watches { scan(watch, &settling) }

        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !state.withLock({ $0.stopping }) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 250) > 0 else {
                if !settling.recentlyChanged.isEmpty { for watch in watches { scan(watch, &settling) } }
                continue
            }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { continue }
            var offset = 0
            while offset < n {
                let (wd, mask, name, size) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, String, Int) in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    let nameStart = offset + MemoryLayout<inotify_event>.size
                    let nameBytes = raw[nameStart..<(nameStart + Int(event.len))].prefix { $0 != 0 }
                    return (
                        event.wd, event.mask, String(decoding: nameBytes, as: UTF8.self),
                        MemoryLayout<inotify_event>.size + Int(event.len)
                    )
                }
                offset += size
                if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    logger.warning("inotify queue overflowed; rescanning folders")
                    for watch in watches { scan(watch, &settling) }
                    continue
                }
                if mask & UInt32(IN_IGNORED) != 0, let watch = byDescriptor[wd] {
                    throw WatchError(description: "watched folder \(watch.dir) was removed or unmounted")
                }
                guard let watch = byDescriptor[wd], mask & UInt32(IN_ISDIR) == 0 else { continue }
                consider(name, in: watch, &settling, onlyLinks: mask & UInt32(IN_CREATE) != 0)
            }
        }
    }

    /// Longer than the pauses of a writer that appends a row every few seconds.
    static let quietSeconds = 5

    /// Files a scan finds open for writing are left to their writer's close (IN_CLOSE_WRITE),
    /// as files that arrive while the daemon runs are.
    private func scan(_ watch: Config.Watch, _ settling: inout Settling) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: watch.dir)) ?? []
        var ids: [String: OpenWriters.FileID] = [:]
        for name in names where Self.isCandidate(name) {
            var st = stat()
            if stat((watch.dir as NSString).appendingPathComponent(name), &st) == 0, st.st_mode & S_IFMT == S_IFREG {
                ids[name] = OpenWriters.FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
            }
        }
        let writing = OpenWriters.openForWriting(among: Set(ids.values))
        for name in names.sorted() {
            if let id = ids[name], writing.contains(id) {
                let path = (watch.dir as NSString).appendingPathComponent(name)
                if settling.recentlyChanged.remove(path) != nil || !settling.seenWriting.contains(path) {
                    logger.debug(
                        "report still open for writing; taken when its writer closes it", metadata: ["file": "\(path)"])
                }
                settling.seenWriting.insert(path)
                continue
            }
            consider(name, in: watch, &settling, fromScan: true)
        }
    }

    private func consider(
        _ name: String, in watch: Config.Watch, _ settling: inout Settling, onlyLinks: Bool = false,
        fromScan: Bool = false
    ) {
        guard Self.isCandidate(name) else { return }
        let path = (watch.dir as NSString).appendingPathComponent(name)
        var st = stat()
        guard lstat(path, &st) == 0 else {
            // Names are decoded as UTF-8; one that is not (Latin-1 from a file share) cannot be
            // opened by its decoded form.
            logger.warning(
                "cannot read a file in the watched folder; is its name UTF-8?", metadata: ["file": "\(path)"])
            return
        }
        if fromScan, st.st_mode & S_IFMT == S_IFREG, time(nil) - st.st_mtim.tv_sec < Self.quietSeconds {
            settling.recentlyChanged.insert(path)
            return
        }
        settling.recentlyChanged.remove(path)
        let type = st.st_mode & S_IFMT
        // Folders (processed/, rejected/) are not reports; symbolic links are taken so they get
        // refused visibly. A hard link made in place (IN_CREATE with more than one link) is taken
        // at once, as the scan at start takes it; a file merely created waits for its close.
        let hardLink = type == S_IFREG && st.st_nlink > 1
        guard type == S_IFLNK || (type == S_IFREG && (!onlyLinks || hardLink)) else { return }
        settling.seenWriting.remove(path)
        guard state.withLock({ $0.pending.insert(path).inserted }) else { return }
        logger.debug("report arrived", metadata: ["file": "\(path)"])
        submit(path, watch)
    }
}

struct WatchError: Error, CustomStringConvertible { var description: String }
