import JCMCore
import JCMPostgres

/// The methodology file and option A values a declared period froze (its plan version): what
/// `report` computes with, whatever the configuration says today. What the configuration now
/// says otherwise is told, not used.
struct FrozenInputs {
    var methodology: Methodology
    var values: [String: ExactDecimal]
    /// How the configuration differs from what the period froze, one line each.
    var differences: [String] = []

    /// The period's frozen inputs; the configuration's when the period froze none (declared
    /// before schema version 10, or its project had no `calculation` then), with that said.
    static func load(
        _ p: MonitoringPeriod, configured: Methodology, configuredText: String?,
        configuredValues: [String: ExactDecimal], db: Connection
    ) throws -> FrozenInputs {
        guard let version = p.planVersion,
            let row = try db.query(
                """
                select e->>'calculation_text', e->>'calculation_sha256' from jcm.plan_versions v, jsonb_array_elements(v.plan->'projects') e
                where v.version = $1 and e->>'id' = $2
                """, [String(version), p.project]
            ).rows.first, let text = row[0]
        else {
            return FrozenInputs(
                methodology: configured, values: configuredValues,
                differences: [
                    "the period froze no methodology file: computed with the configuration's \(configured.file)"
                ])
        }
        let methodology: Methodology
        do {
            methodology = try Methodology.parse(text, file: "\(configured.file) (as frozen in plan version \(version))")
        } catch {
            throw ValidationErrorMessage("\(p.project) \(p.name): the frozen methodology does not read: \(error)")
        }
        var values: [String: ExactDecimal] = [:]
        for r in try db.query(
            """
            select x.key, x.value::text from jcm.plan_versions v, jsonb_array_elements(v.plan->'projects') e, jsonb_each(e->'values') x
            where v.version = $1 and e->>'id' = $2
            """, [String(version), p.project]
        ).rows {
            if let key = r[0], let value = r[1].flatMap({ ExactDecimal(parsing: $0) }) { values[key] = value }
        }
        var inputs = FrozenInputs(methodology: methodology, values: values)
        let now = configuredText.map { LedgerDigest.hex(LedgerDigest.sha256(Array($0.utf8))) } ?? "none"
        if let sha = row[1], sha != now {
            inputs.differences.append(
                "the methodology file \(configured.file) changed since the period was declared (frozen SHA-256 \(sha.prefix(16))…, now \(now.prefix(16))…): the frozen one is used"
            )
        }
        for key in Set(values.keys).union(configuredValues.keys).sorted() where values[key] != configuredValues[key] {
            inputs.differences.append(
                "\(key) is \(configuredValues[key]?.description ?? "not set") in the configuration, \(values[key]?.description ?? "not set") as frozen: the frozen value is used"
            )
        }
        return inputs
    }
}
