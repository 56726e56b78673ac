import Foundation

/// Reading the monitoring-plan parts of the configuration: `[[parameter]]` tables and the plan
/// keys of `[[meter]]` (config/jcm-ingestd.toml documents each).
extension Config {
    static func readParameter(_ r: inout TableReader, projects: Set<String>) -> Parameter? {
        let project = r.requiredString("project")
        if let project, !projects.contains(project) { r.problem("project", "no [[project]] has id \"\(project)\"") }
        let id = r.requiredString("id")
        var unit: MeasurementUnit?
        if let u = r.requiredString("unit") {
            unit = MeasurementUnit.named(u)
            if unit == nil { r.problem("unit", "unknown unit \"\(u)\"") }
        }
        var option: MonitoringOption?
        if let o = r.requiredString("option") {
            option = MonitoringOption(rawValue: o)
            if option == nil {
                r.problem("option", "\"\(o)\" is not one of A (default data), B (transaction records), C (measured)")
            }
        }
        let texts = r.sheetTexts(point: false)
        guard let project, let id, let unit, let option else { return nil }
        return Parameter(project: project, id: id, unit: unit, option: option, texts: texts)
    }

    static func readMeterPlan(_ r: inout TableReader, kind: MeterKind?, unit: MeasurementUnit?, zone: String?)
        -> MeterPlan
    {
        var plan = MeterPlan()
        plan.expectedIntervalMilliseconds = r.duration("expected_interval", range: 1_000...(31 * 86_400_000))
        plan.range = r.bounds("range")
        plan.expectedRange = r.bounds("expected_range")
        if let text = r.string("capacity"), let unit {
            switch Capacity.perHour(text, in: unit) {
            case .success(let perHour):
                plan.capacityPerHour = perHour
                plan.capacityText = text
            case .failure(let why): r.problem("capacity", why.message)
            }
        }
        if let rollover = r.decimal("rollover") {
            if rollover.isNegative || rollover == .zero {
                r.problem("rollover", "must be above zero")
            } else if kind != .cumulative {
                r.problem("rollover", "only applies to a cumulative meter")
            } else {
                plan.rollover = rollover
            }
        }
        plan.maxPermissibleErrorPercent = r.percent("max_permissible_error")
        if let stuck = r.duration("stuck_after", range: 60_000...(365 * 86_400_000)) {
            if kind == .cumulative {
                plan.stuckAfterMilliseconds = stuck
            } else {
                r.problem("stuck_after", "only applies to a cumulative meter")
            }
        }
        if let signal = r.string("production_signal") {
            if kind == .cumulative {
                plan.productionSignal = signal
            } else {
                r.problem("production_signal", "only applies to a cumulative meter")
            }
        }
        for (i, t) in r.tables("calibration").enumerated() {
            var c = TableReader(t, path: r.keyPath("calibration[\(i + 1)]"))
            let certificate = c.requiredString("certificate")
            let from = c.instant("calibrated", zone: zone)
            if t["calibrated"] == nil { c.problem("calibrated", "is required") }
            let until = c.instant("valid_until", zone: zone)
            if t["valid_until"] == nil { c.problem("valid_until", "is required") }
            var asFound: ExactDecimal?
            if let text = c.string("as_found_error") {
                asFound = text.hasSuffix("%") ? ExactDecimal(parsing: text.dropLast()) : nil
                if asFound == nil {
                    c.problem("as_found_error", "\"\(text)\" is not a percentage such as \"-1.2%\" or \"0.8%\"")
                }
            }
            if let certificate, let from, let until {
                // A date alone means the whole day: the certificate is valid through its end
                // (the next local midnight, which a DST change can put 23 or 25 hours later).
                let end = isDateOnly(t["valid_until"]) ? nextMidnight(after: until, zone: zone) : until
                if end <= from {
                    c.problem("valid_until", "is not after calibrated")
                } else {
                    plan.calibrations.append(
                        Calibration(
                            certificate: certificate, calibrated: from, validUntil: end, asFoundErrorPercent: asFound))
                }
            }
            r.problems += c.finish()
        }
        plan.calibrationRequired = !plan.calibrations.isEmpty
        return plan
    }

    private static func nextMidnight(after t: Timestamp, zone: String?) -> Timestamp {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
        return calendar.date(byAdding: .day, value: 1, to: t.date).map(Timestamp.init(date:))
            ?? Timestamp(microseconds: t.microseconds + 86_400_000_000)
    }

    private static func isDateOnly(_ node: TOMLNode?) -> Bool {
        switch node?.value {
        case .datetime(let t)?, .string(let t)?: t.count == 10
        default: false
        }
    }

    /// Checks across tables, once all are read: each meter measures a declared parameter of its
    /// project in a unit of the parameter's dimension; a production signal names an
    /// instantaneous meter of the same project. Option C parameters require calibration.
    /// `positions`: each meter's place among the [[meter]] tables, which is not its place in
    /// `meters` once a table before it failed to read.
    mutating func checkPlan(meterTables: [String: TOMLTable], positions: [String: Int] = [:]) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        let byID = Dictionary(meters.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let declared = Set(parameters.map(\.project))
        for i in meters.indices {
            let m = meters[i]
            let table = meterTables[m.id]
            func problem(_ key: String, _ message: String) {
                problems.append(
                    ConfigProblem(
                        key: "meter[\((positions[m.id] ?? i) + 1)].\(key)", line: table?[key]?.line ?? table?.line ?? 1,
                        message: message))
            }
            if declared.contains(m.project) {
                if let p = parameters.first(where: { $0.project == m.project && $0.id == m.parameter }) {
                    if p.unit.dimension != m.unit.dimension {
                        problem(
                            "unit",
                            "\(m.unit) (\(m.unit.dimension)) does not measure parameter \(p.id), kept in \(p.unit) (\(p.unit.dimension))"
                        )
                    }
                    if p.option == .c { meters[i].plan.calibrationRequired = true }
                } else {
                    problem("parameter", "project \(m.project) declares no [[parameter]] \"\(m.parameter)\"")
                }
            }
            if let point = m.texts.point,
                let other = meters[..<i].first(where: { $0.project == m.project && $0.texts.point == point })
            {
                problem(
                    "monitoring_point",
                    "\"\(point)\" is already the monitoring point of meter \(other.id) in project \(m.project)")
            }
            if let signal = m.plan.productionSignal {
                if let s = byID[signal] {
                    if s.kind != .instantaneous || s.project != m.project {
                        problem(
                            "production_signal",
                            "meter \"\(signal)\" must be an instantaneous meter of project \(m.project)")
                    }
                } else {
                    problem("production_signal", "no [[meter]] has id \"\(signal)\"")
                }
            }
            if meters[i].plan.expectedIntervalMilliseconds == nil, let poll = m.poll {
                meters[i].plan.expectedIntervalMilliseconds = poll.intervalMilliseconds
            }
        }
        return problems
    }
}
