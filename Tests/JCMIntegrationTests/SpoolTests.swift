import Foundation
import JCMCore
import Testing

@testable import JCMDaemon

/// The spool on a real filesystem: order, segments, restarts, crashes, damage, limits.
@Suite("spool on disk")
struct SpoolTests {
    func spool(_ dir: String, max: Int = 1 << 20, segment: Int = 1 << 20) throws -> Spool {
        try Spool(directory: dir + "/spool", maxBytes: max, segmentBytes: segment, logger: TestCluster.logger)
    }

    func payloads(_ range: Range<Int>) -> [[UInt8]] { range.map { Array("record \($0)".utf8) } }

    /// Everything readable from the start, in small reads, and the position after it.
    func readAll(_ s: Spool) -> (texts: [String], refs: [String], end: Spool.Position) {
        var position = s.start
        var texts: [String] = []
        var refs: [String] = []
        while true {
            let (entries, next) = s.read(from: position, max: 3)
            texts += entries.map { String(decoding: $0.payload, as: UTF8.self) }
            refs += entries.map(\.ref)
            position = next
            if entries.isEmpty { return (texts, refs, position) }
        }
    }

    func segments(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir + "/spool").filter { $0.hasSuffix(".seg") }.sorted()
    }

    @Test func recordsComeBackInOrderAcrossSegmentsAndReleaseDeletesThem() throws {
        let dir = TempDir()
        let s = try spool(dir.path, segment: 40)
        for i in stride(from: 0, to: 10, by: 2) { try s.append(payloads(i..<i + 2)) }
        let all = readAll(s)
        #expect(all.texts == (0..<10).map { "record \($0)" })
        #expect(Set(all.refs).count == 10)
        #expect(try segments(dir.path).count == 5)
        s.release(upTo: all.end)
        #expect(try segments(dir.path).count == 1, "only the segment being appended to stays")
        #expect(s.bytes == 0, "committed records no longer count against the limit")
        #expect(readAll(s).texts.isEmpty == false, "the active segment is kept until it is full")
    }

    @Test func aRestartReplaysWhatWasNotReleasedWithTheSameRefs() throws {
        let dir = TempDir()
        var first: [String] = []
        do {
            let s = try spool(dir.path)
            try s.append(payloads(0..<3))
            first = readAll(s).refs
        }
        let s = try spool(dir.path)
        let replay = readAll(s)
        #expect(replay.texts == (0..<3).map { "record \($0)" })
        #expect(replay.refs == first, "a replayed record names the same spool record, so it is written once")
        try s.append(payloads(3..<5))
        #expect(readAll(s).texts == (0..<5).map { "record \($0)" })
    }

    @Test func aRecordCutShortByACrashIsIgnoredAndTheRestIsRead() throws {
        let dir = TempDir()
        do {
            let s = try spool(dir.path)
            try s.append(payloads(0..<2))
            try s.append(payloads(2..<3))
        }
        // What a kill in the middle of write(2) leaves: the start of a record, no more.
        var torn: [UInt8] = []
        SpoolFrame.encode(Array("never finished".utf8), into: &torn)
        let segment = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.path + "/spool/" + segments(dir.path)[0]))
        try segment.seekToEnd()
        try segment.write(contentsOf: Data(torn.prefix(15)))
        try segment.close()

        let s = try spool(dir.path)
        try s.append(payloads(3..<4))
        #expect(readAll(s).texts == (0..<4).map { "record \($0)" })
    }

    @Test func damageSkipsTheRestOfItsSegmentOnly() throws {
        let dir = TempDir()
        do { try spool(dir.path).append(payloads(0..<3)) }
        do { try spool(dir.path).append(payloads(3..<4)) }
        let first = dir.path + "/spool/" + (try segments(dir.path)[0])
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: first)))
        let second = SpoolFrame.headerSize + "record 0".utf8.count + SpoolFrame.headerSize
        bytes[second + 2] ^= 0xFF  // a bit rot inside record 1's payload
        try Data(bytes).write(to: URL(fileURLWithPath: first))
        #expect(readAll(try spool(dir.path)).texts == ["record 0", "record 3"])
    }

    @Test func aFullSpoolRefusesWithItsLimit() throws {
        let dir = TempDir()
        let s = try spool(dir.path, max: 100)
        try s.append(payloads(0..<3))
        #expect(throws: Spool.Failure.self) { try s.append(payloads(3..<6)) }
        do {
            try s.append(payloads(3..<6))
        } catch {
            #expect("\(error)".contains("daemon.spool_max_bytes"))
        }
        let held = readAll(s)
        #expect(held.texts.count == 3)
        s.release(upTo: held.end)
        try s.append(payloads(3..<6))
        #expect(readAll(s).texts.count == 6, "once written, the room is free again")
    }

    @Test(.enabled(if: TmpfsMount.available, "needs root to mount a small tmpfs"))
    func aFullDiskIsAClearErrorAndLeavesNoPartialRecord() throws {
        let disk = try #require(TmpfsMount(bytes: 64 * 1024))
        let s = try Spool(directory: disk.path + "/spool", maxBytes: 1 << 30, logger: TestCluster.logger)
        let payload = [UInt8](repeating: 0x41, count: 3_000)
        var appended = 0
        var failure: Error?
        while failure == nil, appended < 100 {
            do {
                try s.append([payload])
                appended += 1
            } catch { failure = error }
        }
        let error = try #require(failure)
        #expect("\(error)".contains("No space left on device"), "\(error)")
        let replay = readAll(s)
        #expect(
            replay.texts.count == appended,
            "every record appended before the disk filled is whole; the failed one left nothing")
    }
}
