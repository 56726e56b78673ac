import Testing

@testable import JCMCore

private func unit(_ symbol: String) -> MeasurementUnit { MeasurementUnit.named(symbol)! }

/// 2025-11-26T12:00:00Z
private let now = Timestamp(microseconds: 1_764_158_400_000_000)
/// 2025-11-26T10:00:00Z plus `minutes`.
private func at(_ minutes: Int64) -> String {
    Timestamp(microseconds: 1_764_151_200_000_000 + minutes * 60_000_000).description
}

private let meters: [Config.Meter] = [
    .init(id: "EG-1", project: "P", parameter: "EG_p", kind: .cumulative, unit: unit("kWh")),
    .init(id: "EG-2", project: "P", parameter: "EG_p", kind: .cumulative, unit: unit("kWh")),
    .init(id: "TANK", project: "P", parameter: "FC", kind: .instantaneous, unit: unit("L")),
    .init(id: "INTV", project: "P", parameter: "EC", kind: .interval, unit: unit("kWh")),
    .init(id: "LOCAL", project: "P", parameter: "EG_p", kind: .cumulative, unit: unit("kWh"), timeZone: "Asia/Kolkata"),
    .init(id: "WH", project: "P", parameter: "EG_p", kind: .cumulative, unit: unit("Wh")),
    .init(id: "CO2", project: "P", parameter: "RE", kind: .interval, unit: unit("tCO2")),
    // Configured but without a database key: not in the registry.
    .init(id: "UNREG", project: "P", parameter: "EG_p", kind: .cumulative, unit: unit("kWh")),
]
private let keys: [String: Int32] = ["EG-1": 1, "EG-2": 2, "TANK": 3, "INTV": 4, "LOCAL": 5, "WH": 6, "CO2": 7]

private func makeValidator() -> ReadingValidator {
    ReadingValidator(registry: MeterRegistry(meters: meters, keys: keys), clockSkewMilliseconds: 300_000)
}

private func raw(_ meter: String?, _ timestamp: String?, _ value: String?, _ unit: String? = nil, extra: String? = nil)
    -> RawReading
{
    RawReading(
        meterID: meter, timestamp: timestamp, value: value, unit: unit, extra: extra, location: "test.csv:2",
        raw: [meter, timestamp, value, unit].map { $0 ?? "" }.joined(separator: ","))
}

private func accepted(_ verdict: Verdict, sourceLocation: SourceLocation = #_sourceLocation) throws -> Reading {
    guard case .accepted(let reading) = verdict else {
        Issue.record("expected accepted, got \(verdict)", sourceLocation: sourceLocation)
        throw CancellationError()
    }
    return reading
}

private func reason(_ verdict: Verdict) -> ReasonCode? {
    if case .rejected(let r) = verdict { return r.reason }
    return nil
}

/// One reading and the rejection it must get from a fresh validator.
struct RejectionCase: Sendable, CustomTestStringConvertible {
    var meter: String?
    var timestamp: String?
    var value: String?
    var unit: String?
    var reason: ReasonCode
    var testDescription: String {
        "\(reason.rawValue): \([meter, timestamp, value, unit].map { $0.map { "\"\($0)\"" } ?? "nil" }.joined(separator: ", "))"
    }
}

@Suite struct ReadingValidatorTests {
    static let ts = "2025-11-26T10:00:00Z"

    static let rejections: [RejectionCase] = [
        .init(meter: "NOPE", timestamp: ts, value: "1", unit: "kWh", reason: .unknownMeter),
        .init(meter: "eg-1", timestamp: ts, value: "1", unit: "kWh", reason: .unknownMeter),
        .init(meter: "UNREG", timestamp: ts, value: "1", unit: "kWh", reason: .unknownMeter),
        .init(meter: nil, timestamp: ts, value: "1", unit: "kWh", reason: .missingField),
        .init(meter: "", timestamp: ts, value: "1", unit: "kWh", reason: .missingField),
        .init(meter: "EG-1", timestamp: ts, value: nil, unit: "kWh", reason: .missingField),
        .init(meter: "EG-1", timestamp: ts, value: "", unit: "kWh", reason: .missingField),
        .init(meter: "EG-1", timestamp: nil, value: "1", unit: "kWh", reason: .missingField),
        .init(meter: "EG-1", timestamp: "", value: "1", unit: "kWh", reason: .missingField),
        .init(meter: "EG-1", timestamp: ts, value: "abc", unit: "kWh", reason: .valueNotNumeric),
        .init(meter: "EG-1", timestamp: ts, value: "1,5", unit: "kWh", reason: .valueNotNumeric),
        .init(meter: "EG-1", timestamp: ts, value: " 12", unit: "kWh", reason: .valueNotNumeric),
        .init(meter: "EG-1", timestamp: ts, value: "12 kWh", unit: "kWh", reason: .valueNotNumeric),
        .init(meter: "EG-1", timestamp: ts, value: "0x10", unit: "kWh", reason: .valueNotNumeric),
        .init(meter: "EG-1", timestamp: ts, value: "true", unit: "kWh", reason: .valueNotNumeric),
        .init(meter: "EG-1", timestamp: ts, value: "NaN", unit: "kWh", reason: .valueNotFinite),
        .init(meter: "EG-1", timestamp: ts, value: "nan", unit: "kWh", reason: .valueNotFinite),
        .init(meter: "EG-1", timestamp: ts, value: "inf", unit: "kWh", reason: .valueNotFinite),
        .init(meter: "EG-1", timestamp: ts, value: "-Infinity", unit: "kWh", reason: .valueNotFinite),
        .init(meter: "EG-1", timestamp: ts, value: "+INF", unit: "kWh", reason: .valueNotFinite),
        .init(
            meter: "EG-1", timestamp: ts, value: "1" + String(repeating: "0", count: 38), unit: "kWh",
            reason: .valueOutOfRange),
        .init(meter: "EG-1", timestamp: ts, value: "1e999", unit: "kWh", reason: .valueOutOfRange),
        .init(meter: "EG-1", timestamp: ts, value: "-1.5e-40", unit: "kWh", reason: .valueOutOfRange),
        // Fits as a number, overflows when converted (× 3.6e12 to J).
        .init(
            meter: "EG-1", timestamp: ts, value: String(repeating: "9", count: 38), unit: "GWh",
            reason: .valueOutOfRange),
        .init(meter: "EG-1", timestamp: ts, value: "1", unit: "kwh", reason: .unitUnknown),
        .init(meter: "EG-1", timestamp: ts, value: "1", unit: "mWh", reason: .unitUnknown),
        .init(meter: "EG-1", timestamp: ts, value: "1", unit: "kW", reason: .unitIncompatible),
        .init(meter: "EG-1", timestamp: ts, value: "1", unit: "L", reason: .unitIncompatible),
        .init(meter: "TANK", timestamp: ts, value: "1", unit: "kg", reason: .unitIncompatible),
        .init(meter: "CO2", timestamp: ts, value: "1", unit: "t", reason: .unitIncompatible),
        .init(meter: "EG-1", timestamp: "2025-02-30T00:00:00Z", value: "1", unit: "kWh", reason: .timestampInvalid),
        .init(meter: "EG-1", timestamp: "yesterday", value: "1", unit: "kWh", reason: .timestampInvalid),
        .init(meter: "EG-1", timestamp: "1764151200", value: "1", unit: "kWh", reason: .timestampInvalid),
        .init(meter: "EG-1", timestamp: "2025-11-26T10:00:00", value: "1", unit: "kWh", reason: .timestampNoOffset),
        .init(meter: "EG-1", timestamp: "2025-11-26 10:00", value: "1", unit: "kWh", reason: .timestampNoOffset),
        // now is 12:00:00Z and the allowed skew 5 minutes.
        .init(
            meter: "EG-1", timestamp: "2025-11-26T12:05:00.000001Z", value: "1", unit: "kWh", reason: .timestampFuture),
        .init(meter: "EG-1", timestamp: "2025-11-26T17:35:01+05:30", value: "1", unit: "kWh", reason: .timestampFuture),
        .init(meter: "EG-1", timestamp: "2026-11-26T10:00:00Z", value: "1", unit: "kWh", reason: .timestampFuture),
    ]

    @Test(arguments: rejections)
    func rejects(_ c: RejectionCase) {
        var validator = makeValidator()
        let input = raw(c.meter, c.timestamp, c.value, c.unit)
        let verdict = validator.validate(input, now: now)
        guard case .rejected(let rejection) = verdict else {
            Issue.record("expected \(c.reason.rawValue), got \(verdict)")
            return
        }
        #expect(rejection.reason == c.reason, "\(rejection.detail)")
        #expect(!rejection.reason.isFlag)
        #expect(rejection.raw == input)
        #expect(!rejection.detail.isEmpty)
    }

    @Test func rejectionDetails() {
        var v = makeValidator()
        let unknown = v.validate(raw("NOPE", Self.ts, "1", "kWh"), now: now)
        #expect(
            unknown
                == .rejected(
                    Rejection(
                        raw: raw("NOPE", Self.ts, "1", "kWh"), reason: .unknownMeter,
                        detail: #"meter "NOPE" is not in the configuration"#)))
        guard case .rejected(let incompatible) = v.validate(raw("EG-1", Self.ts, "1", "L"), now: now) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(incompatible.detail == "unit L (volume) cannot convert to the meter's kWh (energy)")
    }

    /// A text made only of digits, signs, points and exponent letters but not a number (`1.2.3`) is
    /// not numeric; "out of range" is for numbers too long or too large.
    @Test(arguments: ["1.2.3", "--5", "1e", ".", "-", "e", "1-2", "1e5e5", "٣"])
    func malformedNumbersAreNotNumeric(_ value: String) {
        var v = makeValidator()
        #expect(reason(v.validate(raw("EG-1", Self.ts, value, "kWh"), now: now)) == .valueNotNumeric)
    }

    @Test func skewBoundaryIsAccepted() throws {
        var v = makeValidator()
        let r = try accepted(v.validate(raw("EG-1", "2025-11-26T12:05:00Z", "1", "kWh"), now: now))
        #expect(r.timestamp.description == "2025-11-26T12:05:00Z")
        var strict = makeValidator()
        strict.clockSkewMicroseconds = 0
        #expect(
            reason(strict.validate(raw("EG-1", "2025-11-26T12:00:00.000001Z", "1", "kWh"), now: now))
                == .timestampFuture)
        #expect(reason(strict.validate(raw("EG-1", "2025-11-26T12:00:00Z", "1", "kWh"), now: now)) == nil)
    }

    @Test func acceptedReadingCarriesConvertedValueAndRawVerbatim() throws {
        var v = makeValidator()
        let r = try accepted(
            v.validate(raw("EG-1", "2025-11-26T15:30:00+05:30", "1500.0", "Wh", extra: #"{"site":"Pune"}"#), now: now))
        #expect(
            r
                == Reading(
                    meterKey: 1, timestamp: Timestamp(microseconds: 1_764_151_200_000_000),
                    value: ExactDecimal(parsing: "1.5")!,
                    rawValue: "1500.0", rawUnit: "Wh", flags: [], extra: #"{"site":"Pune"}"#))
        #expect(r.value.description == "1.5")
        #expect(r.status == "accepted")
    }

    @Test func missingUnitMeansTheMetersUnit() throws {
        var v = makeValidator()
        let r = try accepted(v.validate(raw("EG-1", Self.ts, "12.50", nil), now: now))
        #expect(r.value.description == "12.50")
        #expect(r.rawUnit == "")
        let empty = try accepted(v.validate(raw("INTV", Self.ts, "3", ""), now: now))
        #expect(empty.value.description == "3")
        #expect(empty.rawUnit == "")
    }

    @Test func aliasesAndOtherUnitsConvert() throws {
        var v = makeValidator()
        #expect(try accepted(v.validate(raw("TANK", Self.ts, "1.5", "m³"), now: now)).value.description == "1500")
        #expect(try accepted(v.validate(raw("CO2", Self.ts, "250", "kgCO2e"), now: now)).value.description == "0.25")
        let r = try accepted(v.validate(raw("INTV", Self.ts, "1.2", "MWh"), now: now))
        #expect(r.value.description == "1200")
        #expect(r.rawValue == "1.2")
        #expect(r.rawUnit == "MWh")
    }

    @Test func roundedConversionIsFlagged() throws {
        var v = makeValidator()
        let r = try accepted(v.validate(raw("WH", Self.ts, "1", "J"), now: now))
        #expect(r.flags == [.unitConversionRounded])
        #expect(r.status == "flagged")
        #expect(r.value.description == "0.000277777777777777777777777778")
        #expect(r.rawValue == "1")
        #expect(r.rawUnit == "J")
        // 3600 J is exactly 1 Wh: no flag.
        #expect(try accepted(v.validate(raw("WH", at(1), "3600", "J"), now: now)).flags.isEmpty)
    }

    @Test func zones() throws {
        var v = makeValidator()
        // The meter's own zone.
        #expect(
            try accepted(v.validate(raw("LOCAL", "2025-11-26T10:15:30", "1", "kWh"), now: now)).timestamp.description
                == "2025-11-26T04:45:30Z")
        // The meter's zone wins over the folder's.
        #expect(
            try accepted(v.validate(raw("LOCAL", "2025-11-26T10:16:30", "2", "kWh"), now: now, zone: "Europe/Berlin"))
                .timestamp.description
                == "2025-11-26T04:46:30Z")
        // A meter without a zone takes the folder's.
        #expect(
            try accepted(v.validate(raw("EG-1", "2025-11-26T10:15:30", "1", "kWh"), now: now, zone: "Europe/Berlin"))
                .timestamp.description
                == "2025-11-26T09:15:30Z")
        // An explicit offset needs no zone.
        #expect(
            try accepted(v.validate(raw("EG-2", "2025-11-26T10:15:30+01:00", "1", "kWh"), now: now)).timestamp
                .description
                == "2025-11-26T09:15:30Z")
    }

    @Test func arrivalTimeStandsInForAMissingTimestamp() throws {
        var v = makeValidator()
        let arrival = Timestamp(microseconds: 1_764_158_000_000_000)
        #expect(try accepted(v.validate(raw("EG-1", nil, "1", "kWh"), now: now, arrival: arrival)).timestamp == arrival)
        #expect(
            try accepted(v.validate(raw("EG-1", "", "2", "kWh"), now: now, arrival: arrival.advanced(1))).timestamp
                == arrival.advanced(1))
        // A timestamp in the record wins over the arrival time.
        #expect(
            try accepted(v.validate(raw("EG-2", Self.ts, "1", "kWh"), now: now, arrival: arrival)).timestamp.description
                == Self.ts)
    }

    /// A device whose clock was never set reports epoch 0: its reading takes the poll's time and
    /// says so. A device time far from the poll's is kept and flagged. A record of the past (a
    /// report or a history answer) before the floor is refused rather than restamped.
    @Test func deviceClocksBeforeTheFloorTakeThePollTime() throws {
        var v = makeValidator()
        let arrival = now.advanced(-5)
        let unset = try accepted(
            v.validate(raw("EG-1", "1970-01-01T00:00:00Z", "1", "kWh"), now: now, arrival: arrival, deviceTime: true))
        #expect(unset.timestamp == arrival)
        #expect(unset.flags == [.deviceClockInvalid])
        let skewed = try accepted(
            v.validate(raw("EG-2", Self.ts, "2", "kWh"), now: now, arrival: arrival, deviceTime: true))
        #expect(skewed.timestamp.description == Self.ts)
        #expect(skewed.flags == [.deviceClockSkew])
        let rtcDefault = try accepted(
            v.validate(raw("EG-2", "2000-01-01T00:00:00Z", "3", "kWh"), now: now, arrival: arrival, deviceTime: true))
        #expect(rtcDefault.flags == [.deviceClockInvalid])
        #expect(reason(v.validate(raw("EG-1", "1970-01-01T00:00:00Z", "1", "kWh"), now: now)) == .timestampInvalid)
        #expect(
            reason(v.validate(raw("EG-1", "1970-01-01T00:00:00Z", "1", "kWh"), now: now, arrival: arrival))
                == .timestampInvalid)
    }

    /// A counter that falls was reset: kept, flagged, and the new value becomes the reference.
    @Test func aCounterThatFallsIsAResetKeptAndFlagged() throws {
        var v = makeValidator()
        #expect(try accepted(v.validate(raw("EG-1", at(0), "100", "kWh"), now: now)).flags.isEmpty)
        #expect(try accepted(v.validate(raw("EG-1", at(1), "150", "kWh"), now: now)).flags.isEmpty)
        let fell = try accepted(v.validate(raw("EG-1", at(2), "120", "kWh"), now: now))
        #expect(fell.flags == [.counterReset])
        #expect(fell.value == ExactDecimal(parsing: "120")!)
        // Judged against 120 now: it counts up from there.
        #expect(try accepted(v.validate(raw("EG-1", at(3), "130", "kWh"), now: now)).flags.isEmpty)
        #expect(try accepted(v.validate(raw("EG-1", at(4), "129999", "Wh"), now: now)).flags == [.counterReset])
        #expect(
            try accepted(v.validate(raw("EG-1", at(5), "129.999", "kWh"), now: now)).flags.isEmpty,
            "equal in another unit")
        #expect(try accepted(v.validate(raw("EG-1", at(6), "0.1299989", "MWh"), now: now)).flags == [.counterReset])
    }

    @Test func counterStateIsPerMeter() throws {
        var v = makeValidator()
        #expect(try accepted(v.validate(raw("EG-1", at(0), "1000", "kWh"), now: now)).flags.isEmpty)
        #expect(try accepted(v.validate(raw("EG-2", at(1), "5", "kWh"), now: now)).flags.isEmpty)
        #expect(try accepted(v.validate(raw("EG-1", at(2), "999", "kWh"), now: now)).flags == [.counterReset])
        #expect(try accepted(v.validate(raw("EG-2", at(3), "6", "kWh"), now: now)).flags.isEmpty)
    }

    @Test func olderReadingIsFlaggedOutOfOrderAndDoesNotMoveTheState() throws {
        var v = makeValidator()
        #expect(reason(v.validate(raw("EG-1", at(10), "100", "kWh"), now: now)) == nil)
        let late = try accepted(v.validate(raw("EG-1", at(5), "90", "kWh"), now: now))
        #expect(late.flags == [.outOfOrder])
        #expect(late.status == "flagged")
        // Even a bigger value in the past does not become the reference.
        let lateBig = try accepted(v.validate(raw("EG-1", at(6), "500", "kWh"), now: now))
        #expect(lateBig.flags == [.outOfOrder])
        #expect(try accepted(v.validate(raw("EG-1", at(11), "101", "kWh"), now: now)).flags.isEmpty)
    }

    @Test func bothFlagsTogether() throws {
        var v = makeValidator()
        #expect(reason(v.validate(raw("WH", at(10), "100", "Wh"), now: now)) == nil)
        let r = try accepted(v.validate(raw("WH", at(5), "1", "J"), now: now))
        #expect(Set(r.flags) == [.unitConversionRounded, .outOfOrder])
    }

    @Test func rejectedReadingsForOtherReasonsDoNotMoveTheState() throws {
        var v = makeValidator()
        #expect(reason(v.validate(raw("EG-1", at(0), "100", "kWh"), now: now)) == nil)
        #expect(reason(v.validate(raw("EG-1", "2026-01-01T00:00:00Z", "1000000", "kWh"), now: now)) == .timestampFuture)
        #expect(reason(v.validate(raw("EG-1", at(1), "101", "kWh"), now: now)) == nil)
    }

    @Test func seedingRestoresTheReference() throws {
        var v = makeValidator()
        let t = Timestamp(microseconds: 1_764_151_200_000_000 + 60 * 60_000_000)  // at(60)
        v.seed(meterKey: 1, timestamp: t, value: ExactDecimal(parsing: "500")!)
        #expect(try accepted(v.validate(raw("EG-1", at(61), "499.999", "kWh"), now: now)).flags == [.counterReset])
        #expect(try accepted(v.validate(raw("EG-1", at(59), "10", "kWh"), now: now)).flags == [.outOfOrder])
        #expect(try accepted(v.validate(raw("EG-1", at(62), "500", "kWh"), now: now)).flags.isEmpty)
        // Seeding another meter leaves this one alone.
        v.seed(meterKey: 2, timestamp: t, value: ExactDecimal(parsing: "1")!)
        #expect(try accepted(v.validate(raw("EG-1", at(63), "500.5", "kWh"), now: now)).flags.isEmpty)
    }

    @Test(arguments: ["TANK", "INTV"])
    func nonCumulativeMetersAreNotSubjectToTheCounterRule(_ meter: String) throws {
        var v = makeValidator()
        let unitSymbol = meter == "TANK" ? "L" : "kWh"
        for (minute, value) in [(Int64(0), "500"), (1, "20"), (2, "0"), (1, "700")] {
            let r = try accepted(v.validate(raw(meter, at(minute), value, unitSymbol), now: now))
            #expect(r.flags.isEmpty, "no counter_reset nor out_of_order for \(meter)")
            #expect(r.value == ExactDecimal(parsing: value)!)
        }
        // Below zero: an instantaneous meter may read it (net power, a level offset); an interval
        // total may not.
        let negative = v.validate(raw(meter, at(3), "-5", unitSymbol), now: now)
        #expect(reason(negative) == (meter == "TANK" ? nil : .valueNegative))
    }

    /// Random increasing cumulative sequences, in mixed units and scales, are all accepted; inserting one
    /// smaller value yields exactly one counter_reset flag and leaves the rest unflagged.
    @Test func randomIncreasingSequences() throws {
        var rng = SplitMix64(seed: 20_251_126)
        for trial in 0..<60 {
            var wh: Int64 = Int64(rng.next() % 1_000_000_000)
            var minute: Int64 = 0
            var readings: [(minute: Int64, wh: Int64)] = []
            for _ in 0..<80 {
                minute += Int64(rng.next() % 5) * 2 + 2  // even, increasing: room for an insertion between
                wh += Int64(rng.next() % 3 == 0 ? 0 : rng.next() % 50_000)
                readings.append((minute, wh))
            }
            func render(_ wh: Int64, _ rng: inout SplitMix64) -> (String, String) {
                switch rng.next() % 4 {
                case 0: return (String(wh), "Wh")
                case 1: return (ExactDecimal(significand: Int128(wh), scale: 3).description, "kWh")
                case 2: return (ExactDecimal(significand: Int128(wh) * 100, scale: 5).description, "kWh")
                default: return (ExactDecimal(significand: Int128(wh), scale: 6).description, "MWh")
                }
            }
            // All increasing: all accepted, no flags.
            var plain = makeValidator()
            for r in readings {
                let (value, u) = render(r.wh, &rng)
                let verdict = plain.validate(
                    raw(
                        "EG-1", Timestamp(microseconds: 1_700_000_000_000_000 + r.minute * 60_000_000).description,
                        value, u), now: now)
                guard case .accepted(let reading) = verdict, reading.flags.isEmpty else {
                    Issue.record("trial \(trial): \(value) \(u) at minute \(r.minute): \(verdict)")
                    break
                }
            }
            // One smaller value inserted between two readings.
            let i = Int(rng.next() % UInt64(readings.count - 1)) + 1
            let before = readings[i - 1]
            let smaller = (minute: before.minute + 1, wh: before.wh - Int64(rng.next() % 1_000) - 1)
            var sequence = readings
            sequence.insert(smaller, at: i)
            var v = makeValidator()
            var resets = 0
            var others = 0
            for r in sequence {
                let (value, u) = render(r.wh, &rng)
                let verdict = v.validate(
                    raw(
                        "EG-1", Timestamp(microseconds: 1_700_000_000_000_000 + r.minute * 60_000_000).description,
                        value, u), now: now)
                switch verdict {
                case .accepted(let reading) where reading.flags == [.counterReset]: resets += 1
                case .accepted(let reading) where reading.flags.isEmpty: break
                default: others += 1
                }
            }
            #expect(resets == 1, "trial \(trial)")
            #expect(others == 0, "trial \(trial)")
        }
    }
}

extension Timestamp {
    fileprivate func advanced(_ seconds: Int64) -> Timestamp {
        Timestamp(microseconds: microseconds + seconds * 1_000_000)
    }
}
