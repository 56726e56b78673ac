import JCMCore
import Testing

@testable import JCMDaemon

/// A meter's recent readings, kept in 32 bytes each: what comes back is the value stored, digit
/// for digit, and the oldest goes first once eight are kept.
@Suite("a meter's recent readings")
struct RecentReadingsTests {
    func value(_ text: String) -> ExactDecimal { ExactDecimal(parsing: text)! }

    @Test("values come back exactly as stored: scale, sign, 38 digits, 30 decimals")
    func exactValues() {
        var recent = RecentReadings()
        let values = ["1.50", "-0.000000000000000000000000000001", "99999999999999999999999999999999999999", "0"]
        for (i, text) in values.enumerated() { recent.add(Timestamp(microseconds: Int64(i)), value(text)) }
        for (i, text) in values.enumerated() {
            let back = recent.value(at: Timestamp(microseconds: Int64(i)))
            #expect(back?.significand == value(text).significand && back?.scale == value(text).scale, "\(text)")
        }
        #expect(recent.value(at: Timestamp(microseconds: 99)) == nil)
    }

    @Test("the ninth reading pushes out the first; the newest is the latest time, not the last added")
    func capacityAndNewest() {
        var recent = RecentReadings()
        for s in [5, 1, 9, 3, 7, 2, 8, 4] { recent.add(Timestamp(microseconds: Int64(s)), value("\(s)")) }
        #expect(recent.newest == Timestamp(microseconds: 9))
        #expect(recent.value(at: Timestamp(microseconds: 5)) == value("5"))
        recent.add(Timestamp(microseconds: 6), value("6"))
        #expect(recent.value(at: Timestamp(microseconds: 5)) == nil)
        #expect(recent.value(at: Timestamp(microseconds: 1)) == value("1"))
        #expect(RecentReadings().newest == nil)
    }

    @Test("the same time stored twice answers with the later value")
    func laterWins() {
        var recent = RecentReadings()
        recent.add(Timestamp(microseconds: 1), value("1"))
        recent.add(Timestamp(microseconds: 1), value("2"))
        #expect(recent.value(at: Timestamp(microseconds: 1)) == value("2"))
    }
}
