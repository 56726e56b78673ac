// Microbenchmark of the validator (issue: validation against the monitoring plan): 1,000,000
// readings of 1,000 cumulative meters, every rule on (monitoring start, sign, hard and soft
// ranges, calibration register, capacity spike, rollover and reset, stuck counter with a
// production signal), validated on one core. The readings are built as the decoders hand them
// over (text fields) before the clock starts; only `validate` is timed.
// Usage: swift run -c release validation-bench [READINGS] [METERS]
import Foundation
import JCMCore

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let total = arguments.first ?? 1_000_000
let meterCount = arguments.dropFirst().first ?? 1_000

func decimal(_ s: String) -> ExactDecimal { ExactDecimal(parsing: s)! }
let parser = TimestampParser()
var meters: [Config.Meter] = []
for m in 0..<meterCount {
    var meter = Config.Meter(
        id: String(format: "IN-JP-0001-PV-M%04d", m), project: "IN-JP-0001", parameter: "EG_p", kind: .cumulative,
        unit: .named("kWh")!)
    meter.plan.expectedIntervalMilliseconds = 900_000
    meter.plan.range = .init(min: decimal("0"), max: decimal("100000000"))
    meter.plan.expectedRange = .init(min: decimal("0"), max: decimal("50000000"))
    meter.plan.capacityPerHour = decimal("10")
    meter.plan.rollover = decimal("1000000000")
    meter.plan.maxPermissibleErrorPercent = decimal("0.5")
    meter.plan.calibrations = [
        .init(
            certificate: "OLD-\(m)", calibrated: try! parser.parse("2024-01-01T00:00:00Z"),
            validUntil: try! parser.parse("2025-12-01T00:00:00Z")),
        .init(
            certificate: "CAL-\(m)", calibrated: try! parser.parse("2025-12-01T00:00:00Z"),
            validUntil: try! parser.parse("2027-12-01T00:00:00Z")),
    ]
    meter.plan.calibrationRequired = true
    meter.plan.stuckAfterMilliseconds = 6 * 3_600_000
    meter.plan.productionSignal = "IN-JP-0001-PAC"
    meters.append(meter)
}
meters.append(
    Config.Meter(
        id: "IN-JP-0001-PAC", project: "IN-JP-0001", parameter: "PAC_p", kind: .instantaneous, unit: .named("kW")!))
let keys = Dictionary(uniqueKeysWithValues: meters.enumerated().map { ($1.id, Int32($0 + 1)) })
let project = Config.Project(
    id: "IN-JP-0001", methodology: "JCM_IN_AM001", monitoringStart: try! parser.parse("2025-04-01T00:00:00+05:30"))
let registry = MeterRegistry(meters: meters, keys: keys, projects: [project])

// Timestamp-major, 15-minute steps from 2026-01-01, values in kWh with three decimals as a logger
// writes them; one reading in 500 resets its counter, so the counter rules see every path.
let start = try! parser.parse("2026-01-01T00:00:00Z").microseconds
var raws: [RawReading] = []
raws.reserveCapacity(total)
var step = 0
while raws.count < total {
    let ts = Timestamp(microseconds: start + Int64(step) * 900_000_000).description
    for m in 0..<meterCount where raws.count < total {
        var wh = 1_000_000 * (m + 1) + step * (500 + m)
        if (step + m) % 500 == 499 { wh = step }
        raws.append(
            RawReading(
                meterID: meters[m].id, timestamp: ts, value: "\(wh / 1000).\(String(format: "%03d", wh % 1000))",
                unit: "kWh",
                location: "bench.csv:\(raws.count + 2)", raw: ""))
    }
    step += 1
}
let now = Timestamp(date: Date())

// Five rounds, each with a fresh validator over the same readings; the machine is shared, so the
// median is the figure to quote and the spread is printed with it.
var rates: [Double] = []
var accepted = 0
var flagged = 0
var rejected = 0
for _ in 0..<5 {
    var validator = ReadingValidator(registry: registry, clockSkewMilliseconds: 300_000)
    accepted = 0
    flagged = 0
    rejected = 0
    let elapsed = ContinuousClock().measure {
        for i in raws.indices {
            switch validator.validate(raws[i], now: now) {
            case .accepted(let r): if r.flags.isEmpty { accepted += 1 } else { flagged += 1 }
            case .rejected: rejected += 1
            }
        }
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    rates.append(Double(total) / seconds)
    if ProcessInfo.processInfo.environment["BENCH_VERBOSE"] != nil {
        print(String(format: "  round: %.0f readings/s", Double(total) / seconds))
    }
}
rates.sort()
print(
    String(
        format:
            "validated %d readings of %d meters, 5 rounds on one core: median %.0f readings/s (min %.0f, max %.0f; target >= 1,000,000)",
        total, meterCount, rates[2], rates[0], rates[4]))
print("verdicts per round: \(accepted) accepted, \(flagged) flagged, \(rejected) rejected")
