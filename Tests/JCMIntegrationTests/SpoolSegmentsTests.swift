import Testing

@testable import JCMDaemon

/// The spool's bookkeeping without a disk: what `Spool` opens, writes and deletes.
@Suite struct SpoolSegmentsTests {
    typealias Position = Spool.Position

    @Test func aRunAppendsToANewSegmentAfterThoseFound() {
        let fresh = SpoolSegments(found: [:])
        #expect(fresh.active == 1 && fresh.start == Position(segment: 1, offset: 0))
        #expect(fresh.pending == 0 && !fresh.holdsEarlierRecords)

        let restarted = SpoolSegments(found: [3: 100, 4: 0])
        #expect(restarted.active == 5)
        #expect(restarted.start == Position(segment: 3, offset: 0))
        #expect(restarted.pending == 100 && restarted.holdsEarlierRecords)
        #expect(!SpoolSegments(found: [3: 0]).holdsEarlierRecords, "an empty segment of a clean stop")
    }

    @Test func appendsRotateAtTheSegmentSizeAndStopAtTheLimit() {
        var s = SpoolSegments(found: [:])
        #expect(s.nextStep(appending: 60, maxBytes: 200, segmentBytes: 100) == .write(offset: 0))
        s.wrote(60, at: 0)
        #expect(s.nextStep(appending: 60, maxBytes: 200, segmentBytes: 100) == .write(offset: 60))
        s.wrote(60, at: 60)
        #expect(s.nextStep(appending: 60, maxBytes: 200, segmentBytes: 100) == .rotate)
        s.rotated()
        #expect(s.active == 2)
        #expect(s.nextStep(appending: 60, maxBytes: 200, segmentBytes: 100) == .write(offset: 0))
        s.wrote(60, at: 0)
        #expect(s.pending == 180)
        #expect(s.nextStep(appending: 21, maxBytes: 200, segmentBytes: 100) == .refuse(pending: 180))
        #expect(s.nextStep(appending: 20, maxBytes: 200, segmentBytes: 100) == .write(offset: 60))
    }

    @Test func releaseForgetsWholeSegmentsBeforeItButNeverTheActiveOne() {
        var s = SpoolSegments(found: [1: 100, 2: 50])
        #expect(s.active == 3)
        s.wrote(30, at: 0)
        let reader = s.segment(at: Position(segment: 1, offset: 100))
        #expect(reader.size == 100 && !reader.isActive && reader.following == 2)

        var (delete, empty) = s.release(upTo: Position(segment: 2, offset: 10))
        #expect(delete == [1] && !empty)
        #expect(s.pending == 40 + 30)
        #expect(s.segment(at: Position(segment: 1, offset: 0)).size == nil, "deleted")

        (delete, empty) = s.release(upTo: Position(segment: 3, offset: 30))
        #expect(delete == [2] && empty)
        #expect(s.sizes == [3: 30], "the active segment stays until it rotates")
        #expect(s.pending == 0)

        (delete, empty) = s.release(upTo: Position(segment: 2, offset: 0))
        #expect(delete.isEmpty && s.released == Position(segment: 3, offset: 30), "release never goes back")
    }
}
