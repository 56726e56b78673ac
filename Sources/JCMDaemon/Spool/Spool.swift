import Foundation
import JCMCore
import Logging
import Synchronization

/// The on-disk spool: poll results are appended here, fsynced, and only then handed to the
/// writer, which reads them back in order and releases them once committed. A crash, a kill or
/// a database outage loses nothing fetched: what was not committed is replayed at the next start.
///
/// Segments are append-only files named by a sequence number. A running spool appends to a
/// new segment of its own, so a record cut short by a crash can only sit at the end of an older
/// segment, where its checksum gives it away. Replayed records name their spool, segment and
/// offset in jcm.batches.spool_record, so replaying one twice writes it once.
public final class Spool: Sendable {
    public struct Position: Sendable, Comparable {
        public var segment: UInt64
        public var offset: Int
        public static func < (a: Position, b: Position) -> Bool { (a.segment, a.offset) < (b.segment, b.offset) }
    }

    public struct Entry: Sendable {
        public var payload: [UInt8]
        public var position: Position
        public var next: Position
        /// Unique across spools and restarts: what jcm.batches.spool_record holds.
        public var ref: String
    }

    public enum Failure: Error, CustomStringConvertible {
        case full(bytes: Int, limit: Int)
        case io(String, errno: Int32)

        public var description: String {
            switch self {
            case .full(let bytes, let limit):
                "spool full: \(bytes) bytes spooled, limit \(limit) (daemon.spool_max_bytes)"
            case .io(let what, let code): "spool: \(what): \(String(cString: strerror(code)))"
            }
        }
    }

    public let directory: String
    public let maxBytes: Int
    let segmentBytes: Int
    private let logger: Logger
    /// Told of every segment the reader could not open or read (EMFILE when descriptors run out),
    /// for the daemon to count; the records stay and are read again at the next drain.
    public var onReadFailure: (@Sendable (_ errno: Int32) -> Void)? {
        get { state.withLock { $0.onReadFailure } }
        set { state.withLock { $0.onReadFailure = newValue } }
    }
    private let readFailureLog = LogThrottle()
    private let id: String

    private struct State {
        /// Which segments hold what (a pure value; this class performs what it says).
        var segments: SpoolSegments
        /// The active segment's descriptor; appends write it with the lock held.
        var fd: Int32
        /// When the oldest record still spooled was appended (for the spool-age metric).
        var oldestAppend: Date?
        var onReadFailure: (@Sendable (_ errno: Int32) -> Void)?
    }

    private let state: Mutex<State>

    public init(directory: String, maxBytes: Int, segmentBytes: Int = 8 << 20, logger: Logger) throws {
        self.directory = directory
        self.maxBytes = maxBytes
        self.segmentBytes = segmentBytes
        self.logger = logger
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let idPath = directory + "/id"
        if let existing = try? String(contentsOfFile: idPath, encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines), !existing.isEmpty
        {
            id = existing
        } else {
            id = UUID().uuidString.lowercased()
            try Self.writeDurably(id + "\n", to: idPath, directory: directory)
        }
        var sizes: [UInt64: Int] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".seg") {
            guard let seq = UInt64(name.dropLast(4)) else { continue }
            var st = stat()
            if stat(directory + "/" + name, &st) == 0 { sizes[seq] = Int(st.st_size) }
        }
        let segments = SpoolSegments(found: sizes)
        var initial = State(segments: segments, fd: try Self.openSegment(segments.active, in: directory))
        if segments.holdsEarlierRecords {
            initial.oldestAppend = Date()
            logger.notice(
                "spool holds records from before the restart; they are written first",
                metadata: [
                    "spool.segments": "\(sizes.count)", "spool.bytes": "\(segments.pending)",
                ])
        }
        state = Mutex(initial)
    }

    deinit { state.withLock { if $0.fd >= 0 { close($0.fd) } } }

    /// Where reading starts: the oldest segment still on disk.
    public var start: Position {
        state.withLock { $0.segments.start }
    }

    /// Bytes not yet committed: what the limit and the jcm_spool_bytes gauge count. Committed
    /// records of the segment being appended to stay on disk until it rotates (8 MiB at most).
    public var bytes: Int { state.withLock { $0.segments.pending } }

    /// Seconds since the spool was last empty (an upper bound on the age of its oldest record).
    public var age: Double {
        state.withLock { $0.oldestAppend.map { Date().timeIntervalSince($0) } ?? 0 }
    }

    /// Appends the payloads as one write and fsyncs it: on return they survive a crash.
    public func append(_ payloads: [[UInt8]]) throws {
        var out: [UInt8] = []
        for p in payloads { SpoolFrame.encode(p, into: &out) }
        try state.withLock { s throws(Failure) in
            var step = s.segments.nextStep(appending: out.count, maxBytes: maxBytes, segmentBytes: segmentBytes)
            if step == .rotate {
                try rotate(&s)
                step = s.segments.nextStep(appending: out.count, maxBytes: maxBytes, segmentBytes: segmentBytes)
            }
            let size: Int
            switch step {
            case .refuse(let pending): throw Failure.full(bytes: pending, limit: maxBytes)
            case .rotate: throw Failure.io("cannot rotate segment \(Self.name(s.segments.active))", errno: EIO)
            case .write(let offset): size = offset
            }
            let fd = s.fd
            let written = out.withUnsafeBytes { buf -> Int in
                var done = 0
                while done < buf.count {
                    let n = pwrite(fd, buf.baseAddress! + done, buf.count - done, off_t(size + done))
                    if n < 0 {
                        if errno == EINTR { continue }
                        return -1
                    }
                    done += n
                }
                return done
            }
            if written < 0 || fsync(fd) != 0 {
                let code = errno
                // Whatever part reached the file is cut off again, so the segment stays whole.
                _ = ftruncate(fd, off_t(size))
                throw Failure.io("cannot write segment \(Self.name(s.segments.active))", errno: code)
            }
            s.segments.wrote(out.count, at: size)
            if s.oldestAppend == nil { s.oldestAppend = Date() }
        }
    }

    /// Up to `max` records from `position` on, in order, and the position after the last one.
    /// A damaged or cut-short record ends its segment (logged); reading goes on in the next.
    public func read(from position: Position, max: Int) -> (entries: [Entry], next: Position) {
        var position = position
        var entries: [Entry] = []
        while entries.count < max {
            let (size, isActive, following) = state.withLock { $0.segments.segment(at: position) }
            if let size, position.offset < size {
                let (found, end) = readRecords(
                    segment: position.segment, from: position.offset, to: size, max: max - entries.count)
                entries += found
                guard end > position.offset else { break }
                position.offset = end
                continue
            }
            // This segment is read to its end (or gone); the active one may still grow.
            guard !isActive, let following else { break }
            position = Position(segment: following, offset: 0)
        }
        return (entries, position)
    }

    /// Records before `position` are committed: segments wholly before it are deleted.
    public func release(upTo position: Position) {
        state.withLock { s in
            let (delete, empty) = s.segments.release(upTo: position)
            for seq in delete { unlink(directory + "/" + Self.name(seq)) }
            if empty { s.oldestAppend = nil }
        }
    }

    private func readRecords(segment: UInt64, from offset: Int, to size: Int, max: Int) -> ([Entry], Int) {
        let file = open(directory + "/" + Self.name(segment), O_RDONLY | O_CLOEXEC)
        // Nothing read means no progress: the records wait for the next drain. (Returning `size`
        // here once skipped them, and the release after it deleted polls never written.)
        guard file >= 0 else { return (readFailed(segment, errno), offset) }
        defer { close(file) }
        // Read a bounded slice: a long outage may have spooled more than memory should hold.
        var window = Swift.min(size - offset, 4 << 20)
        while true {
            // Not zeroed first: pread fills what is used (a drain reads some 250 kB at 10,000 polls
            // a second).
            var got = 0
            var code = EIO
            let buffer = [UInt8](unsafeUninitializedCapacity: window) { bytes, count in
                got = pread(file, bytes.baseAddress!, window, off_t(offset))
                if got < 0 { code = errno }
                count = Swift.max(got, 0)
            }
            guard got > 0 else { return (readFailed(segment, code), offset) }
            let reachesEnd = offset + got >= size
            var entries: [Entry] = []
            var at = 0
            var biggerWindow: Int?
            buffer.withUnsafeBytes { raw in
                let bytes = UnsafeRawBufferPointer(rebasing: raw[0..<got])
                while entries.count < max {
                    switch SpoolFrame.decode(bytes, at: at) {
                    case .record(let payload, let next):
                        entries.append(
                            Entry(
                                payload: Array(bytes[payload]),
                                position: Position(segment: segment, offset: offset + at),
                                next: Position(segment: segment, offset: offset + next),
                                ref: "\(id)/\(segment)/\(offset + at)"))
                        at = next
                    case .incomplete where !reachesEnd:
                        // The slice ends inside a record: a record larger than the slice is read whole.
                        if at == 0, got >= SpoolFrame.headerSize {
                            biggerWindow = SpoolFrame.headerSize + Int(SpoolFrame.readLE(bytes, 4))
                        }
                        return
                    case .incomplete:
                        if at < got {
                            logger.error(
                                "spool record cut short (a crash while it was written); ignored",
                                metadata: [
                                    "spool.segment": "\(Self.name(segment))", "spool.offset": "\(offset + at)",
                                    "bytes": "\(got - at)",
                                ])
                            at = got
                        }
                        return
                    case .damaged(let why):
                        logger.error(
                            "damaged spool record; the rest of its segment is skipped",
                            metadata: [
                                "spool.segment": "\(Self.name(segment))", "spool.offset": "\(offset + at)",
                                "error": "\(why)",
                                "bytes.skipped": "\(size - offset - at)",
                            ])
                        at = size - offset
                        return
                    }
                }
            }
            if let biggerWindow, biggerWindow > window {
                window = Swift.min(size - offset, biggerWindow)
                continue
            }
            return (entries, offset + at)
        }
    }

    /// Logs (at most once a minute) and reports a segment that could not be read; no entries.
    private func readFailed(_ segment: UInt64, _ code: Int32) -> [Entry] {
        state.withLock { $0.onReadFailure }?(code)
        if let suppressed = readFailureLog.admit() {
            logger.error(
                "cannot read the spool; its polls wait there and are written once it can be read",
                metadata: [
                    "spool.segment": "\(Self.name(segment))", "error": "\(String(cString: strerror(code)))",
                    "suppressed": "\(suppressed)",
                ])
        }
        return []
    }

    /// The next segment is opened before the full one is closed: when it cannot be, appends go
    /// on failing with the reason, and the next one tries again.
    private func rotate(_ s: inout State) throws(Failure) {
        let next = try Self.openSegment(s.segments.active + 1, in: directory)
        close(s.fd)
        s.fd = next
        s.segments.rotated()
    }

    private static func openSegment(_ seq: UInt64, in directory: String) throws(Failure) -> Int32 {
        let file = open(directory + "/" + Self.name(seq), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard file >= 0 else {
            throw Failure.io("cannot create segment \(Self.name(seq)) in \(directory)", errno: errno)
        }
        try syncDirectory(directory)
        return file
    }

    static func name(_ seq: UInt64) -> String {
        let digits = String(seq)
        return String(repeating: "0", count: Swift.max(0, 12 - digits.count)) + digits + ".seg"
    }

    static func syncDirectory(_ directory: String) throws(Failure) {
        let dir = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw Failure.io("cannot open \(directory)", errno: errno) }
        defer { close(dir) }
        guard fsync(dir) == 0 else { throw Failure.io("cannot sync \(directory)", errno: errno) }
    }

    static func writeDurably(_ text: String, to path: String, directory: String) throws {
        let file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard file >= 0 else { throw Failure.io("cannot create \(path)", errno: errno) }
        defer { close(file) }
        let bytes = Array(text.utf8)
        guard write(file, bytes, bytes.count) == bytes.count, fsync(file) == 0 else {
            throw Failure.io("cannot write \(path)", errno: errno)
        }
        try syncDirectory(directory)
    }
}
