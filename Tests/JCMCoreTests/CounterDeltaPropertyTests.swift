import Testing

@testable import JCMCore

/// Properties of counter deltas, checked on random series (seeded: a failure names its seed and
/// reproduces). The SQL view jcm.interval_values follows the same rule for a meter without a
/// capacity; the integration tests check that it sums the same.
@Suite("counter deltas: properties")
struct CounterDeltaPropertyTests {
    /// A meter counting true consumption, shown modulo its rollover, and sometimes reset to zero
    /// right after a reading. Returns the readings and the true total counted between the first
    /// and the last.
    static func series(_ rng: inout SplitMix64, modulus: Int64?) -> (
        values: [ExactDecimal], total: ExactDecimal, resets: Int, wraps: Int, counted: [Int64]
    ) {
        var shown: Int64 = Int64(rng.next() % 50_000)
        var values = [ExactDecimal(significand: Int128(shown), scale: 3)]
        var total: Int64 = 0
        var resets = 0
        var wraps = 0
        var counted: [Int64] = []
        for _ in 0..<(Int(rng.next() % 200) + 2) {
            // A reset only where it shows: the counter was above the largest step (so the new
            // value is lower) and below half its modulus (so it cannot pass for a wrap).
            if rng.next() % 25 == 0, shown > 20_000, modulus.map({ shown < $0 / 2 }) ?? true {
                shown = 0
                resets += 1
            }
            let step = Int64(rng.next() % 20_000)
            total += step
            counted.append(step)
            var next = shown + step
            if let modulus, next >= modulus {
                next -= modulus
                wraps += 1
            }
            shown = next
            values.append(ExactDecimal(significand: Int128(shown), scale: 3))
        }
        return (values, ExactDecimal(significand: Int128(total), scale: 3), resets, wraps, counted)
    }

    static func deltas(_ values: ArraySlice<ExactDecimal>, modulus: ExactDecimal?) -> [(
        ExactDecimal, CounterDelta.Step
    )] {
        zip(values, values.dropFirst()).map { CounterDelta.between($0, $1, modulus: modulus) }
    }

    static func sum(_ xs: [(ExactDecimal, CounterDelta.Step)]) -> ExactDecimal {
        xs.reduce(ExactDecimal.zero) { ($0 + $1.0)! }
    }

    @Test(arguments: [nil, Int64(100_000), Int64(9_999_999)])
    func theSumOfDeltasIsWhatTheMeterCountedThroughResetsAndRollovers(modulus: Int64?) {
        let m = modulus.map { ExactDecimal(significand: Int128($0), scale: 3) }
        for seed in UInt64(1)...300 {
            var rng = SplitMix64(seed: seed)
            let s = Self.series(&rng, modulus: modulus)
            let steps = Self.deltas(s.values[...], modulus: m)
            #expect(Self.sum(steps) == s.total, "seed \(seed)")
            #expect(steps.filter { $0.1 == .reset }.count == s.resets, "seed \(seed)")
            #expect(steps.filter { $0.1 == .rollover }.count == s.wraps, "seed \(seed)")
            #expect(steps.allSatisfy { !$0.0.isNegative }, "seed \(seed)")
        }
    }

    /// Two monitoring periods that share their boundary reading each get exactly what the meter
    /// counted in them, through the resets and rollovers that fall in either.
    @Test func anySplitGivesEachPartWhatTheMeterCountedInIt() {
        let m = ExactDecimal(significand: 100_000, scale: 3)  // the series' modulus, in kWh
        for seed in UInt64(1)...300 {
            var rng = SplitMix64(seed: seed)
            let s = Self.series(&rng, modulus: 100_000)
            let k = Int(rng.next() % UInt64(s.values.count))
            let left = Self.sum(Self.deltas(s.values[...k], modulus: m))
            let right = Self.sum(Self.deltas(s.values[k...], modulus: m))
            let countedLeft = ExactDecimal(significand: Int128(s.counted.prefix(k).reduce(0, +)), scale: 3)
            let countedRight = ExactDecimal(significand: Int128(s.counted.dropFirst(k).reduce(0, +)), scale: 3)
            #expect(left == countedLeft && right == countedRight, "seed \(seed), split at \(k)")
        }
    }

    /// The validator flags exactly the steps CounterDelta classifies, so the flags in
    /// jcm.readings and the steps of jcm.interval_values agree.
    @Test func theValidatorFlagsWhatCounterDeltaFinds() {
        for seed in UInt64(1)...100 {
            var rng = SplitMix64(seed: seed)
            let s = Self.series(&rng, modulus: 100_000)
            var meter = Config.Meter(id: "C", project: "P", parameter: "EG_p", kind: .cumulative, unit: .named("kWh")!)
            meter.plan.rollover = ExactDecimal(significand: 100, scale: 0)  // 100 kWh = 100000 in thousandths
            var v = ReadingValidator(registry: MeterRegistry(meters: [meter], keys: ["C": 1]), clockSkewMilliseconds: 0)
            let steps = Self.deltas(s.values[...], modulus: meter.plan.rollover)
            for (i, value) in s.values.enumerated() {
                let ts = Timestamp(microseconds: 1_750_000_000_000_000 + Int64(i) * 600_000_000)
                let raw = RawReading(
                    meterID: "C", timestamp: ts.description, value: value.description, unit: "kWh", location: "x",
                    raw: "")
                guard case .accepted(let r) = v.validate(raw, now: Timestamp(microseconds: 1_800_000_000_000_000))
                else {
                    Issue.record("seed \(seed): reading \(i) rejected")
                    break
                }
                let expected: [ReasonCode] =
                    i == 0
                    ? []
                    : steps[i - 1].1 == .reset ? [.counterReset] : steps[i - 1].1 == .rollover ? [.counterRollover] : []
                #expect(r.flags == expected, "seed \(seed), reading \(i)")
            }
        }
    }

    @Test func unitsRoundTripExactlyWheneverTheFirstConversionIsExact() throws {
        var rng = SplitMix64(seed: 4)
        let units = MeasurementUnit.all
        var checked = 0
        for _ in 0..<5_000 {
            let a = units[Int(rng.next() % UInt64(units.count))]
            let sameDimension = units.filter { $0.dimension == a.dimension }
            let b = sameDimension[Int(rng.next() % UInt64(sameDimension.count))]
            let value = ExactDecimal(
                significand: Int128(Int64(bitPattern: rng.next() >> 20)), scale: Int(rng.next() % 8))
            let there = try value.converted(from: a, to: b)
            guard there.exact else { continue }
            let back = try there.value.converted(from: b, to: a)
            #expect(back.exact && back.value == value, "\(value) \(a) → \(there.value) \(b) → \(back.value)")
            checked += 1
        }
        #expect(checked > 3_000)
    }
}
