import JCMCore
import JCMPostgres

/// The Monitoring Report Sheet's words (Table 1's texts and options, Table 2's sources) and the
/// credit allocation as the period's plan version froze them: a text or a share edited in the
/// configuration after the declaration changes nothing the period's report says, and is told.
struct FrozenSheet {
    var parameters: [String: (texts: Config.SheetTexts, option: Config.MonitoringOption?)] = [:]
    var meters: [String: Config.SheetTexts] = [:]
    var valueSources: [String: String] = [:]
    var allocation: [Config.AllocationAccount] = []
    /// How the configuration differs from what the period froze, one line each.
    var differences: [String] = []

    /// The keys as jcm.plan_versions keeps them (Config.planJSON).
    static var keys: [(String, WritableKeyPath<Config.SheetTexts, String?>)] {
        [
            ("description", \.description), ("source_of_data", \.source), ("measurement_methods", \.methods),
            ("frequency", \.frequency), ("comments", \.comments), ("monitoring_point", \.point),
        ]
    }

    /// The configuration's: what a period that froze no plan version is reported with.
    init(configured config: Config, project: Config.Project) {
        for p in config.parameters where p.project == project.id { parameters[p.id] = (p.texts, p.option) }
        for m in config.meters where m.project == project.id { meters[m.id] = m.texts }
        valueSources = project.valueSources
        allocation = project.allocation
    }

    private init() {}

    static func load(_ p: MonitoringPeriod, config: Config, project: Config.Project, db: Connection) throws
        -> FrozenSheet
    {
        let configured = FrozenSheet(configured: config, project: project)
        guard let version = p.planVersion,
            let text = try db.query(
                "select plan::text from jcm.plan_versions where version = $1", [.int(Int64(version))]
            ).first?.nullable.string(0)
        else { return configured }
        let plan: JSONValue
        do {
            plan = try JSON.parse(text)
        } catch {
            throw ValidationErrorMessage("\(p.project) \(p.name): plan version \(version) does not read: \(error)")
        }
        var frozen = FrozenSheet()
        func texts(_ o: JSONValue) -> Config.SheetTexts {
            var t = Config.SheetTexts()
            for (key, path) in keys { t[keyPath: path] = o[key]?.stringValue }
            return t
        }
        for e in plan["parameters"]?.arrayValue ?? [] where e["project"]?.stringValue == p.project {
            guard let id = e["id"]?.stringValue else { continue }
            frozen.parameters[id] = (
                texts(e), e["option"]?.stringValue.flatMap { Config.MonitoringOption(rawValue: $0) }
            )
        }
        for e in plan["meters"]?.arrayValue ?? [] where e["project"]?.stringValue == p.project {
            if let id = e["id"]?.stringValue { frozen.meters[id] = texts(e) }
        }
        let entry = plan["projects"]?.arrayValue?.first { $0["id"]?.stringValue == p.project }
        for (key, value) in entry?["value_sources"]?.objectValue?.members ?? [] {
            if let s = value.stringValue { frozen.valueSources[key] = s }
        }
        for a in entry?["allocation"]?.arrayValue ?? [] {
            guard let holder = a["holder"]?.stringValue.flatMap({ Config.AllocationAccount.Holder(rawValue: $0) }),
                let name = a["name"]?.stringValue,
                let share = a["share"]?.stringValue.flatMap({ CreditShare(parsing: $0) })
            else {
                throw ValidationErrorMessage(
                    "\(p.project) \(p.name): an account of the allocation frozen in plan version \(version) does not read"
                )
            }
            frozen.allocation.append(
                .init(holder: holder, name: name, account: a["account"]?.stringValue, share: share))
        }
        frozen.differences = frozen.differ(from: configured, version: version)
        return frozen
    }

    private func differ(from now: FrozenSheet, version: Int32) -> [String] {
        let used = "the frozen one (plan version \(version)) is used"
        var out: [String] = []
        func changed(_ a: Config.SheetTexts?, _ b: Config.SheetTexts?) -> [String] {
            Self.keys.filter { a?[keyPath: $0.1] != b?[keyPath: $0.1] }.map(\.0)
        }
        for id in Set(parameters.keys).union(now.parameters.keys).sorted() {
            var keys = changed(parameters[id]?.texts, now.parameters[id]?.texts)
            if parameters[id]?.option != now.parameters[id]?.option { keys.append("option") }
            if !keys.isEmpty {
                out.append("parameter \(id): \(keys.joined(separator: ", ")) changed in the configuration: \(used)")
            }
        }
        for id in Set(meters.keys).union(now.meters.keys).sorted() {
            let keys = changed(meters[id], now.meters[id])
            if !keys.isEmpty {
                out.append("meter \(id): \(keys.joined(separator: ", ")) changed in the configuration: \(used)")
            }
        }
        if valueSources != now.valueSources {
            out.append("value_sources changed in the configuration: \(used)")
        }
        if allocation != now.allocation {
            func text(_ a: [Config.AllocationAccount]) -> String {
                a.isEmpty ? "none" : a.map { "\($0.name) \($0.share.text)" }.joined(separator: ", ")
            }
            out.append(
                "the allocation is \(text(now.allocation)) in the configuration, \(text(allocation)) as frozen: \(used)"
            )
        }
        return out
    }
}
