import Testing

@testable import JCMCore

private func d(_ text: String) -> ExactDecimal { ExactDecimal(parsing: text)! }
private func t(_ text: String) -> Timestamp { try! TimestampParser().parse(text) }

/// 2025-11-26T12:00:00Z
private let now = t("2025-11-26T12:00:00Z")

/// A small monitoring plan with every rule switched on.
private func planValidator() -> ReadingValidator {
    var pv = Config.Meter(id: "PV", project: "P", parameter: "EG_p", kind: .cumulative, unit: .named("kWh")!)
    pv.plan.capacityPerHour = d("60")  // 60 kW: at most 10 kWh in 10 minutes
    pv.plan.rollover = d("100000")
    pv.plan.stuckAfterMilliseconds = 3_600_000
    pv.plan.productionSignal = "PAC"
    pv.plan.calibrations = [
        .init(certificate: "C-1", calibrated: t("2025-01-01T00:00:00Z"), validUntil: t("2025-10-01T00:00:00Z"))
    ]
    pv.plan.calibrationRequired = true
    let pac = Config.Meter(id: "PAC", project: "P", parameter: "PAC_p", kind: .instantaneous, unit: .named("kW")!)
    var flow = Config.Meter(id: "FLOW", project: "P", parameter: "FC", kind: .interval, unit: .named("L")!)
    flow.plan.capacityPerHour = d("120")  // 30 L per 15 minutes
    flow.plan.expectedIntervalMilliseconds = 900_000
    flow.plan.range = .init(min: d("0"), max: d("100"))
    flow.plan.expectedRange = .init(min: d("0"), max: d("40"))
    var net = Config.Meter(id: "NET", project: "P", parameter: "EN", kind: .interval, unit: .named("kWh")!)
    net.plan.range = .init(min: d("-10"), max: d("10"))
    let project = Config.Project(id: "P", methodology: "M", monitoringStart: t("2025-06-01T00:00:00+05:30"))
    let meters = [pv, pac, flow, net]
    let keys = Dictionary(uniqueKeysWithValues: meters.enumerated().map { ($1.id, Int32($0 + 1)) })
    return ReadingValidator(
        registry: MeterRegistry(meters: meters, keys: keys, projects: [project]), clockSkewMilliseconds: 300_000)
}

private func raw(_ meter: String, _ ts: String, _ value: String) -> RawReading {
    RawReading(
        meterID: meter, timestamp: ts, value: value, unit: nil, location: "plan.csv:2", raw: "\(meter),\(ts),\(value)")
}

/// One reading on a fresh validator and the verdict it must get: a rejection code or the flags.
struct PlanCase: Sendable, CustomTestStringConvertible {
    var meter: String
    var ts: String
    var value: String
    var rejected: ReasonCode?
    var flags: [ReasonCode] = []
    var testDescription: String {
        "\(meter) \(value) at \(ts) → \(rejected?.rawValue ?? (flags.isEmpty ? "accepted" : flags.map(\.rawValue).joined(separator: "+")))"
    }
}

@Suite("monitoring-plan rules")
struct MonitoringPlanRuleTests {
    static let cases: [PlanCase] = [
        // Monitoring start: 2025-06-01T00:00+05:30 is 2025-05-31T18:30Z.
        .init(meter: "FLOW", ts: "2025-05-31T18:29:59Z", value: "1", rejected: .beforeMonitoringStart),
        .init(meter: "FLOW", ts: "2025-05-31T18:30:00Z", value: "1"),
        // Sign: an interval total cannot be negative unless its range says so; an instantaneous meter can.
        .init(meter: "FLOW", ts: "2025-09-01T00:00:00Z", value: "-0.001", rejected: .valueNegative),
        .init(meter: "NET", ts: "2025-09-01T00:00:00Z", value: "-9.5"),
        .init(meter: "PAC", ts: "2025-09-01T00:00:00Z", value: "-0.2"),
        // Hard bounds reject, soft bounds flag.
        .init(meter: "NET", ts: "2025-09-01T00:00:00Z", value: "-10.01", rejected: .valueImplausible),
        .init(meter: "FLOW", ts: "2025-09-01T00:00:00Z", value: "100.0001", rejected: .valueImplausible),
        .init(meter: "FLOW", ts: "2025-09-01T00:00:00Z", value: "100", flags: [.valueUnusual, .spike]),
        // 30 L in 15 minutes is the capacity exactly; above it is a spike.
        .init(meter: "FLOW", ts: "2025-09-01T00:00:00Z", value: "30"),
        .init(meter: "FLOW", ts: "2025-09-01T00:00:00Z", value: "30.01", flags: [.spike]),
        // A register that wraps at 100000 cannot show 100000.
        .init(meter: "PV", ts: "2025-09-01T00:00:00Z", value: "100000", rejected: .valueImplausible),
        .init(meter: "PV", ts: "2025-09-01T00:00:00Z", value: "99999.999"),
        // Calibration: certificate C-1 covers 2025-01-01 up to (not including) 2025-10-01.
        .init(meter: "PV", ts: "2025-09-30T23:59:59Z", value: "5"),
        .init(meter: "PV", ts: "2025-10-01T00:00:00Z", value: "5", flags: [.calibrationLapsed]),
    ]

    @Test(arguments: cases)
    func verdict(_ c: PlanCase) {
        var v = planValidator()
        switch v.validate(raw(c.meter, c.ts, c.value), now: now) {
        case .rejected(let r):
            #expect(r.reason == c.rejected, "\(r.detail)")
        case .accepted(let reading):
            #expect(c.rejected == nil, "accepted with \(reading.flags)")
            #expect(reading.flags == c.flags)
        }
    }

    /// A counter read every 10 minutes (capacity 10 kWh per step, modulus 100000).
    @Test func counterSequenceThroughRolloverResetAndSpike() {
        var v = planValidator()
        let steps: [(String, String, [ReasonCode])] = [
            ("2025-09-01T00:00:00Z", "99990", []),
            ("2025-09-01T00:10:00Z", "99995", []),
            ("2025-09-01T00:20:00Z", "3", [.counterRollover]),  // through the wrap: 8 kWh
            ("2025-09-01T00:30:00Z", "2", [.counterReset]),  // back by 1: not a wrap of 99999
            ("2025-09-01T00:40:00Z", "12", []),  // 10 kWh: the capacity exactly
            ("2025-09-01T00:50:00Z", "22.5", [.spike]),  // 10.5 kWh in 10 minutes
            ("2025-09-01T00:45:00Z", "15", [.outOfOrder]),  // late: accepted, flagged, no state change
            ("2025-09-01T01:00:00Z", "23", []),
        ]
        for (ts, value, flags) in steps {
            guard case .accepted(let r) = v.validate(raw("PV", ts, value), now: now) else {
                Issue.record("\(value) at \(ts) rejected")
                continue
            }
            #expect(r.flags == flags, "\(value) at \(ts)")
        }
    }

    @Test func aFlatCounterIsStuckAfterItsTimeOrWhileItsSignalShowsProduction() {
        var v = planValidator()
        func flags(_ meter: String, _ ts: String, _ value: String) -> [ReasonCode] {
            if case .accepted(let r) = v.validate(raw(meter, ts, value), now: now) { return r.flags }
            return [.databaseRefused]  // never expected: a rejection shows up as a mismatch
        }
        #expect(flags("PV", "2025-09-01T18:00:00Z", "500") == [])
        // Night: flat, and the inverter reads zero.
        #expect(flags("PAC", "2025-09-01T18:20:00Z", "0") == [])
        #expect(flags("PV", "2025-09-01T18:30:00Z", "500") == [])
        #expect(flags("PV", "2025-09-01T18:59:00Z", "500") == [])
        // Flat for a full hour: stuck, whatever the signal says.
        #expect(flags("PV", "2025-09-01T19:00:00Z", "500") == [.counterStuck])
        #expect(flags("PV", "2025-09-01T19:10:00Z", "500.1") == [])
        // The inverter produces 5 kW while the counter does not move: stuck at once.
        #expect(flags("PAC", "2025-09-01T19:15:00Z", "5") == [])
        #expect(flags("PV", "2025-09-01T19:20:00Z", "500.1") == [.counterStuck])
        // A signal reading from before the interval does not count again.
        #expect(flags("PV", "2025-09-01T19:30:00Z", "500.1") == [])
    }

    @Test func theDetailOfAHardRuleNamesTheBoundsAndTheProject() {
        var v = planValidator()
        if case .rejected(let r) = v.validate(raw("FLOW", "2025-09-01T00:00:00Z", "250"), now: now) {
            #expect(r.detail == "250 L is outside the meter's plausible range [0, 100]")
        } else {
            Issue.record("not rejected")
        }
        if case .rejected(let r) = v.validate(raw("FLOW", "2025-01-01T00:00:00Z", "1"), now: now) {
            #expect(
                r.detail
                    == "timestamp 2025-01-01T00:00:00Z is before the monitoring start of project P (2025-05-31T18:30:00Z)"
            )
        } else {
            Issue.record("not rejected")
        }
    }

    @Test func capacityReadsPowerOrAUnitPerHour() throws {
        #expect(try Capacity.perHour("500 kW", in: .named("MWh")!).get() == d("0.5"))
        #expect(try Capacity.perHour("12 m3/h", in: .named("L")!).get() == d("12000"))
        #expect(try Capacity.perHour("250 kW", in: .named("kWh")!).get() == d("250"))
        for bad in ["500", "500kW", "-5 kW", "0 kW", "5 furlong", "5 kW/h"] {
            #expect(throws: Capacity.Problem.self, "\(bad)") { try Capacity.perHour(bad, in: .named("kWh")!).get() }
        }
        #expect(throws: Capacity.Problem.self) { try Capacity.perHour("5 kW", in: .named("L")!).get() }
    }
}
