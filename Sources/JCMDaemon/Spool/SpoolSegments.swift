/// The spool's bookkeeping as a pure value: which segments exist and how much of each is
/// durable, which one takes appends, and up to where records are committed. `Spool` keeps it
/// behind its lock and performs what it says (open, write, fsync, unlink), so these rules are
/// tested without a disk.
struct SpoolSegments: Sendable, Equatable {
    typealias Position = Spool.Position

    /// Segment number → size in bytes of what is durable in it.
    private(set) var sizes: [UInt64: Int]
    /// The segment appends go to: a new one per run, so a record cut short by a crash can only
    /// sit at the end of an older one.
    private(set) var active: UInt64
    /// Everything before it is committed (its segment may still be on disk, until it rotates).
    private(set) var released = Position(segment: 0, offset: 0)

    /// From the segments found on disk; appends go to a new segment after them.
    init(found: [UInt64: Int]) {
        sizes = found
        active = (found.keys.max() ?? 0) + 1
        sizes[active] = 0
    }

    /// Bytes not yet committed.
    var pending: Int {
        sizes.reduce(0) { sum, entry in
            if entry.key > released.segment { return sum + entry.value }
            if entry.key == released.segment { return sum + max(0, entry.value - released.offset) }
            return sum
        }
    }

    /// Where reading starts: the oldest segment still on disk.
    var start: Position { Position(segment: sizes.keys.min() ?? active, offset: 0) }

    /// Whether records of an earlier run wait (empty segments left by a clean stop say nothing).
    var holdsEarlierRecords: Bool { sizes.count > 1 && pending > 0 }

    enum AppendStep: Equatable {
        /// Past the spool's limit: nothing is written.
        case refuse(pending: Int)
        /// The active segment is full: open the next one (then `rotated`) and ask again.
        case rotate
        /// Write the bytes at this offset of the active segment (then `wrote`).
        case write(offset: Int)
    }

    /// What appending `bytes` takes next.
    func nextStep(appending bytes: Int, maxBytes: Int, segmentBytes: Int) -> AppendStep {
        let total = pending
        guard total + bytes <= maxBytes else { return .refuse(pending: total) }
        let size = sizes[active, default: 0]
        return size >= segmentBytes ? .rotate : .write(offset: size)
    }

    /// The next segment is open and takes the appends from now on.
    mutating func rotated() {
        active += 1
        sizes[active] = 0
    }

    /// `bytes` at `offset` of the active segment are durable.
    mutating func wrote(_ bytes: Int, at offset: Int) {
        sizes[active] = offset + bytes
    }

    /// What a reader at `position` finds: the durable size of its segment (nil once deleted),
    /// whether it is the active one (which may still grow), and the segment after it.
    func segment(at position: Position) -> (size: Int?, isActive: Bool, following: UInt64?) {
        (sizes[position.segment], position.segment == active, sizes.keys.filter { $0 > position.segment }.min())
    }

    /// Records before `position` are committed. Returns the segments wholly before it (never the
    /// active one), now forgotten and to be deleted, and whether nothing is left uncommitted.
    mutating func release(upTo position: Position) -> (delete: [UInt64], empty: Bool) {
        released = max(released, position)
        let delete = sizes.filter { seq, size in
            seq != active && (seq < position.segment || (seq == position.segment && position.offset >= size))
        }.keys.sorted()
        for seq in delete { sizes[seq] = nil }
        let empty = sizes.count == 1 && position.segment == active && position.offset >= sizes[active, default: 0]
        return (delete, empty)
    }
}
