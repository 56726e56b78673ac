import JCMCore
import Testing

@Suite("spool framing")
struct SpoolFrameTests {
    @Test func crc32cMatchesTheStandardCheckValue() {
        // RFC 3720, B.4: CRC-32C of "123456789".
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    func decode(_ bytes: [UInt8], at offset: Int = 0) -> SpoolFrame.Decoded {
        bytes.withUnsafeBytes { SpoolFrame.decode($0, at: offset) }
    }

    @Test func recordsFollowEachOther() {
        var out: [UInt8] = []
        SpoolFrame.encode(Array("first".utf8), into: &out)
        SpoolFrame.encode([], into: &out)
        SpoolFrame.encode(Array("third".utf8), into: &out)
        guard case .record(let p1, let n1) = decode(out) else {
            Issue.record("first record")
            return
        }
        #expect(Array(out[p1]) == Array("first".utf8))
        guard case .record(let p2, let n2) = decode(out, at: n1) else {
            Issue.record("empty record")
            return
        }
        #expect(p2.isEmpty)
        guard case .record(let p3, let n3) = decode(out, at: n2) else {
            Issue.record("third record")
            return
        }
        #expect(Array(out[p3]) == Array("third".utf8))
        #expect(n3 == out.count)
        #expect(decode(out, at: n3) == .incomplete)
    }

    @Test(arguments: [1, 5, 11, 12, 15])
    func aRecordCutShortIsIncomplete(cut: Int) {
        var out: [UInt8] = []
        SpoolFrame.encode(Array("a payload".utf8), into: &out)
        #expect(decode(Array(out.dropLast(out.count - cut))) == .incomplete)
    }

    @Test func aChangedByteOrAWrongMarkerIsDamage() {
        var out: [UInt8] = []
        SpoolFrame.encode(Array("a payload".utf8), into: &out)
        var flipped = out
        flipped[SpoolFrame.headerSize + 3] ^= 0x01
        #expect(decode(flipped) == .damaged("checksum mismatch"))
        var marker = out
        marker[0] = 0
        #expect(decode(marker) == .damaged("bad record marker"))
        var length = out
        length[7] = 0x7F
        if case .damaged(let why) = decode(length) {
            #expect(why.hasPrefix("impossible record length"))
        } else {
            Issue.record("a huge length is damage")
        }
    }

    @Test func fieldsRoundTripAndShortInputIsNil() {
        var w = SpoolFieldWriter()
        w.int64(-42)
        w.string("PV-1 ✓")
        w.data([0, 255, 7])
        var r = SpoolFieldReader(w.bytes)
        #expect(r.int64() == -42)
        #expect(r.string() == "PV-1 ✓")
        #expect(r.data() == [0, 255, 7])
        #expect(r.isAtEnd)
        var short = SpoolFieldReader(Array(w.bytes.dropLast()))
        _ = short.int64()
        _ = short.string()
        #expect(short.data() == nil)
    }
}
