import Foundation
import Testing

@testable import JCMCore

private func parse(_ text: String, zone: String? = nil) -> Result<Timestamp, TimestampError> {
    let parser = TimestampParser(zone: zone.flatMap { TimeZone(identifier: $0) })
    do {
        return .success(try parser.parse(text))
    } catch {
        return .failure(error)
    }
}

private func utc(_ text: String, zone: String? = nil) -> String? {
    if case .success(let t) = parse(text, zone: zone) { return t.description }
    return nil
}

private func invalidMessage(_ text: String) -> String? {
    if case .failure(.invalid(let why)) = parse(text) { return why }
    return nil
}

@Suite struct TimestampParserTests {
    @Test func anchorsOnTheUnixEpoch() throws {
        #expect(try parse("1970-01-01T00:00:00Z").get().microseconds == 0)
        #expect(try parse("2025-11-26T10:15:30Z").get().microseconds == 1_764_152_130_000_000)
        #expect(try parse("1969-12-31T23:59:59Z").get().microseconds == -1_000_000)
    }

    @Test func formatsWithTheFractionAskedOrTrimmed() {
        let t = Timestamp(microseconds: 1_764_152_130_120_400)
        #expect(t.description == "2025-11-26T10:15:30.1204Z")
        #expect(t.formatted(fractionDigits: 0) == "2025-11-26T10:15:30Z")
        #expect(t.formatted(fractionDigits: 3) == "2025-11-26T10:15:30.120Z")
        #expect(t.formatted(fractionDigits: 6) == "2025-11-26T10:15:30.120400Z")
        #expect(t.formatted(fractionDigits: 9) == "2025-11-26T10:15:30.120400Z")
        #expect(Timestamp(microseconds: -1).description == "1969-12-31T23:59:59.999999Z")
        #expect(Timestamp(microseconds: 5).formatted(fractionDigits: 3) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(microseconds: 253_402_300_799_000_000).description == "9999-12-31T23:59:59Z")
    }

    @Test func formattedTextParsesBackToTheSameInstant() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let t = Timestamp(
                microseconds: Int64.random(in: -2_208_988_800_000_000...4_102_444_800_000_000, using: &generator))
            #expect(try parse(t.description).get() == t, "\(t.microseconds)")
        }
    }

    @Test(arguments: [
        ("2025-11-26T10:15:30Z", "2025-11-26T10:15:30Z"),
        ("2025-11-26t10:15:30z", "2025-11-26T10:15:30Z"),
        ("2025-11-26T10:15:30+00:00", "2025-11-26T10:15:30Z"),
        ("2025-11-26T10:15:30-00:00", "2025-11-26T10:15:30Z"),
        ("2025-11-26T10:15:30+05:30", "2025-11-26T04:45:30Z"),
        ("2025-11-26T10:15:30+0530", "2025-11-26T04:45:30Z"),
        ("2025-11-26T10:15:30-08:00", "2025-11-26T18:15:30Z"),
        ("2025-11-26T10:15:30-0800", "2025-11-26T18:15:30Z"),
        ("2025-11-26T10:15:30+09:00", "2025-11-26T01:15:30Z"),
        ("2025-11-26T10:15:30-09:30", "2025-11-26T19:45:30Z"),
        ("2025-11-26 10:15:30+09:00", "2025-11-26T01:15:30Z"),
        ("2025-11-26 10:15:30Z", "2025-11-26T10:15:30Z"),
        ("2025-11-26T00:30:00+01:00", "2025-11-25T23:30:00Z"),
        ("2025-12-31T23:30:00-01:00", "2026-01-01T00:30:00Z"),
        ("2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"),
        ("2000-02-29T00:00:00Z", "2000-02-29T00:00:00Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
        ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"),
    ])
    func offsets(_ text: String, _ expected: String) {
        #expect(utc(text) == expected)
    }

    @Test(arguments: [
        ("2025-11-26T10:15Z", "2025-11-26T10:15:00Z"),
        ("2025-11-26T10:15+05:30", "2025-11-26T04:45:00Z"),
        ("2025-11-26 10:15-0100", "2025-11-26T11:15:00Z"),
    ])
    func secondsAreOptional(_ text: String, _ expected: String) {
        #expect(utc(text) == expected)
    }

    /// 1 to 9 fractional digits; kept to the microsecond by truncation, never rounded.
    @Test(arguments: [
        (".5", 500_000), (".05", 50_000), (".123", 123_000), (".1234", 123_400), (".12345", 123_450),
        (".123456", 123_456), (".1234567", 123_456), (".12345678", 123_456), (".123456789", 123_456),
        (".999999999", 999_999), (".000000999", 0), (".0000019", 1), (",25", 250_000),
    ])
    func fractionsTruncateToMicroseconds(_ fraction: String, _ micros: Int64) throws {
        let base: Int64 = 1_764_152_130_000_000
        let t = try parse("2025-11-26T10:15:30\(fraction)Z").get()
        #expect(t.microseconds == base + micros)
    }

    @Test func fractionWithOffset() throws {
        #expect(utc("2025-11-26T10:15:30.25+05:30") == "2025-11-26T04:45:30.25Z")
        // Before 1970 the fraction still adds: 23:59:59.5 is half a second before midnight.
        #expect(try parse("1969-12-31T23:59:59.5Z").get().microseconds == -500_000)
    }

    @Test(arguments: [
        ("2025-02-30T00:00:00Z", "day 30 out of range"),
        ("2025-02-29T00:00:00Z", "day 29 out of range"),
        ("1900-02-29T00:00:00Z", "day 29 out of range"),
        ("2025-04-31T00:00:00Z", "day 31 out of range"),
        ("2025-01-32T00:00:00Z", "day 32 out of range"),
        ("2025-01-00T00:00:00Z", "day 0 out of range"),
        ("2025-13-01T00:00:00Z", "month 13 out of range"),
        ("2025-00-10T00:00:00Z", "month 0 out of range"),
        ("2025-11-26T24:00:00Z", "time of day out of range"),
        ("2025-11-26T23:60:00Z", "time of day out of range"),
        ("2025-11-26T23:59:60Z", "time of day out of range"),
        ("2025-11-26T10:15:30.1234567890Z", "fraction of a second needs 1 to 9 digits"),
        ("2025-11-26T10:15:30.Z", "fraction of a second needs 1 to 9 digits"),
        ("2025-11-26", "a time is required after the date"),
        ("2025-11-26X10:15:30Z", "a time is required after the date"),
        ("2025/11/26T10:15:30Z", "expected '-' after the year"),
        ("25-11-26T10:15:30Z", "year is not 4 digits"),
        ("2025-11-26T1:15:30Z", "hour is not 2 digits"),
        ("2025-11-26T10Z", "expected ':' after the hour"),
        ("2025-11-26T10:15:30+24:00", "offset out of range"),
        ("2025-11-26T10:15:30+05:60", "offset out of range"),
        ("2025-11-26T10:15:30+5", "offset hours is missing"),
        ("2025-11-26T10:15:30 +05:30", "unexpected text after the time"),
        ("2025-11-26T10:15:30UTC", "unexpected text after the time"),
        ("2025-11-26T10:15:30Z ", "unexpected text after the offset"),
        ("2025-11-26T10:15:30+05:30:00", "unexpected text after the offset"),
        ("", "year is missing"),
    ])
    func invalid(_ text: String, _ message: String) {
        #expect(invalidMessage(text) == message)
    }

    @Test(arguments: ["2025-11-26T10:15:30", "2025-11-26 10:15", "2025-11-26T10:15:30.5"])
    func noOffsetWithoutZoneIsRefused(_ text: String) throws {
        let result = parse(text)
        guard case .failure(let error) = result else {
            Issue.record("expected .noOffset, got \(result)")
            return
        }
        #expect(error == .noOffset)
    }

    @Test func invalidBeatsNoOffset() {
        // A wrong date is reported as invalid even when the offset is also missing.
        #expect(invalidMessage("2025-02-30T10:15:30") == "day 30 out of range")
    }

    @Test func localTimeReadInKolkata() {
        #expect(utc("2025-11-26T10:15:30", zone: "Asia/Kolkata") == "2025-11-26T04:45:30Z")
        #expect(utc("2025-11-26 00:15", zone: "Asia/Kolkata") == "2025-11-25T18:45:00Z")
        #expect(utc("2025-11-26T10:15:30.123456789", zone: "Asia/Kolkata") == "2025-11-26T04:45:30.123456Z")
        // An explicit offset wins over the zone.
        #expect(utc("2025-11-26T10:15:30Z", zone: "Asia/Kolkata") == "2025-11-26T10:15:30Z")
        #expect(utc("2025-11-26T10:15:30+09:00", zone: "Asia/Kolkata") == "2025-11-26T01:15:30Z")
    }

    /// Europe/Berlin: CET (+01:00) in winter, CEST (+02:00) from 2026-03-29 02:00 to 2026-10-25 03:00.
    @Test(arguments: [
        ("2026-01-15T12:00:00", "2026-01-15T11:00:00Z"),
        ("2026-07-15T12:00:00", "2026-07-15T10:00:00Z"),
        ("2026-03-29T01:59:59", "2026-03-29T00:59:59Z"),
        ("2026-03-29T03:00:00", "2026-03-29T01:00:00Z"),
        ("2026-10-25T01:59:59", "2026-10-24T23:59:59Z"),
        ("2026-10-25T03:00:00", "2026-10-25T02:00:00Z"),
        // In the spring gap (02:30 never happened) and the autumn overlap (02:30 happened twice), the time is
        // read as standard time, as PostgreSQL does for `timestamptz` input.
        ("2026-03-29T02:30:00", "2026-03-29T01:30:00Z"),
        ("2026-10-25T02:30:00", "2026-10-25T01:30:00Z"),
    ])
    func localTimeReadInBerlinAcrossDST(_ text: String, _ expected: String) {
        #expect(utc(text, zone: "Europe/Berlin") == expected)
    }

    /// America/New_York, with PostgreSQL's own examples (docs, "Handling of Invalid or Ambiguous Timestamps"):
    /// '2018-03-11 02:30' (in the spring gap) is 03:30 EDT = 07:30Z, and '2018-11-04 01:30' (in the autumn
    /// overlap) is 01:30 EST = 06:30Z: both read as standard time, as in Berlin above.
    @Test(arguments: [
        ("2018-01-15T12:00:00", "2018-01-15T17:00:00Z"),
        ("2018-07-15T12:00:00", "2018-07-15T16:00:00Z"),
        ("2018-03-11T01:59:59", "2018-03-11T06:59:59Z"),
        ("2018-03-11T03:00:00", "2018-03-11T07:00:00Z"),
        ("2018-11-04T00:59:59", "2018-11-04T04:59:59Z"),
        ("2018-11-04T02:00:00", "2018-11-04T07:00:00Z"),
        ("2018-03-11T02:30:00", "2018-03-11T07:30:00Z"),
        ("2018-11-04T01:30:00", "2018-11-04T06:30:00Z"),
    ])
    func localTimeReadInNewYorkAcrossDST(_ text: String, _ expected: String) {
        #expect(utc(text, zone: "America/New_York") == expected)
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (1, "1970-01-01T00:00:00.000001Z"),
        (-1, "1969-12-31T23:59:59.999999Z"),
        (1_500_000, "1970-01-01T00:00:01.5Z"),
        (1_764_152_130_120_000, "2025-11-26T10:15:30.12Z"),
        (1_764_152_130_123_456, "2025-11-26T10:15:30.123456Z"),
        (951_782_400_000_000, "2000-02-29T00:00:00Z"),
        (-62_135_596_800_000_000, "0001-01-01T00:00:00Z"),
        (253_402_300_799_999_999, "9999-12-31T23:59:59.999999Z"),
    ])
    func prints(_ micros: Int64, _ expected: String) {
        #expect(Timestamp(microseconds: micros).description == expected)
    }

    @Test(arguments: [
        Int64(0), 1, -1, 999_999, -999_999, 1_764_152_130_123_456, -86_400_000_001, 951_782_399_999_999,
        -62_135_596_800_000_000, 253_402_300_799_999_999, 4_102_444_800_000_000,
    ])
    func descriptionRoundTrips(_ micros: Int64) throws {
        let t = Timestamp(microseconds: micros)
        #expect(try TimestampParser().parse(t.description) == t)
    }

    @Test func roundTripsEveryDayOfALeapYear() throws {
        let start: Int64 = 1_704_067_200_000_000  // 2024-01-01T00:00:00Z
        for day in Int64(0)..<366 {
            let t = Timestamp(microseconds: start + day * 86_400_000_000 + 45_296_789_012)
            #expect(try TimestampParser().parse(t.description) == t)
        }
        #expect(Timestamp(microseconds: start + 365 * 86_400_000_000).description == "2024-12-31T00:00:00Z")
    }

    @Test func orderingAndDate() {
        #expect(Timestamp(microseconds: -1) < Timestamp(microseconds: 0))
        #expect(Timestamp(microseconds: 1_500_000).date == Date(timeIntervalSince1970: 1.5))
        #expect(Timestamp(seconds: 1.5).microseconds == 1_500_000)
        #expect(Timestamp(date: Date(timeIntervalSince1970: 86_400)).microseconds == 86_400_000_000)
    }
}
