/// The monitoring plan as one JSON document: what jcm.plan_versions keeps. Members and elements
/// come in a fixed order (the configuration's), so the same plan always gives the same text and
/// the same SHA-256, and a new version is recorded only when something in it changed. The views
/// jcm.plan_parameters, jcm.plan_meters and jcm.plan_calibrations read these member names.
extension Config {
    public var planJSON: String {
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        func number(_ d: ExactDecimal?) -> JSONValue { d.map { .number($0.description) } ?? .null }
        func seconds(_ ms: Int64?) -> JSONValue {
            number(ms.map { ExactDecimal(significand: Int128($0), scale: 3).normalized })
        }
        func time(_ t: Timestamp?) -> JSONValue { text(t?.description) }
        // The methodology file's content and its option A values are part of the plan: changing
        // EF_grid or an equation makes a new version, and a declared period keeps the one it froze.
        let projects: [JSONValue] = projects.map { p in
            let calculation = methodologyTexts[p.id]
            let values: [(String, JSONValue)] = p.values.keys.sorted().map { ($0, number(p.values[$0])) }
            return Self.extended(
                [
                    "id": .string(p.id), "methodology": .string(p.methodology),
                    "methodology_version": text(p.methodologyVersion),
                    "monitoring_start": time(p.monitoringStart),
                    "calculation_sha256": text(
                        calculation.map { LedgerDigest.hex(LedgerDigest.sha256(Array($0.utf8))) }),
                    "calculation_text": text(calculation),
                    "values": .object(JSONObject(values.map { (key: $0.0, value: $0.1) })),
                ], sheetMembers(p))
        }
        let parameters: [JSONValue] = parameters.map { p in
            Self.extended(
                [
                    "project": .string(p.project), "id": .string(p.id), "unit": .string(p.unit.symbol),
                    "option": .string(p.option.rawValue),
                    "frequency": text(p.frequency), "description": text(p.description),
                ], Self.sheetMembers(p.texts, skipping: ["frequency", "description"]))
        }
        let meters: [JSONValue] = meters.map { m in
            let plan = m.plan
            let calibrations: [JSONValue] = plan.calibrations.map { c in
                .object([
                    "certificate": .string(c.certificate), "calibrated": time(c.calibrated),
                    "valid_until": time(c.validUntil),
                    "as_found_error_pct": number(c.asFoundErrorPercent),
                ])
            }
            return Self.extended(
                [
                    "id": .string(m.id), "project": .string(m.project), "parameter": .string(m.parameter),
                    "kind": .string(m.kind.rawValue),
                    "unit": .string(m.unit.symbol), "timezone": text(m.timeZone),
                    "expected_interval_s": seconds(plan.expectedIntervalMilliseconds),
                    "range_min": number(plan.range?.min), "range_max": number(plan.range?.max),
                    "expected_min": number(plan.expectedRange?.min), "expected_max": number(plan.expectedRange?.max),
                    "capacity": text(plan.capacityText), "capacity_per_hour": number(plan.capacityPerHour),
                    "rollover": number(plan.rollover),
                    "max_permissible_error_pct": number(plan.maxPermissibleErrorPercent),
                    "calibration_required": .bool(plan.calibrationRequired),
                    "stuck_after_s": seconds(plan.stuckAfterMilliseconds),
                    "production_signal": text(plan.productionSignal),
                    "calibrations": .array(calibrations),
                ], Self.sheetMembers(m.texts, skipping: []))
        }
        return JSONValue.object([
            "projects": .array(projects), "parameters": .array(parameters), "meters": .array(meters),
        ]).compactText
    }

    /// The sheet's texts, only those set: a plan that sets none keeps the text (and so the
    /// SHA-256 and the version) it had before these keys existed.
    static func sheetMembers(_ t: SheetTexts, skipping: Set<String>) -> [(String, JSONValue)] {
        (SheetTexts.keys + [("monitoring_point", \SheetTexts.point)]).compactMap { key, path in
            guard !skipping.contains(key), let v = t[keyPath: path] else { return nil }
            return (key, .string(v))
        }
    }

    /// A project's value sources and allocation, only when declared (as above).
    private func sheetMembers(_ p: Project) -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = []
        if !p.valueSources.isEmpty {
            let keys = p.valueSources.keys.sorted()
            out.append(
                ("value_sources", .object(JSONObject(keys.map { (key: $0, value: .string(p.valueSources[$0]!)) }))))
        }
        if !p.allocation.isEmpty {
            out.append(
                (
                    "allocation",
                    .array(
                        p.allocation.map { a in
                            .object([
                                "holder": .string(a.holder.rawValue), "name": .string(a.name),
                                "account": a.account.map(JSONValue.string) ?? .null, "share": .string(a.share.text),
                            ])
                        })
                ))
        }
        return out
    }

    static func extended(_ o: JSONObject, _ extra: [(String, JSONValue)]) -> JSONValue {
        .object(
            JSONObject(zip(o.keys, o.values).map { (key: $0.0, value: $0.1) } + extra.map { (key: $0.0, value: $0.1) }))
    }
}
