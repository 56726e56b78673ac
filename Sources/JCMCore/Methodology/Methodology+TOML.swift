/// Reading a methodology file (docs/methodologies.md documents every key). Problems are
/// collected, not stopped at, and located like configuration problems: `file:line: key: message`.
extension Methodology {
    public static func parse(_ text: String, file: String) throws(ConfigError) -> Methodology {
        let root: TOMLTable
        do {
            root = try TOML.parse(text)
        } catch {
            throw ConfigError(
                file: file,
                problems: [
                    ConfigProblem(
                        key: "(syntax)", line: error.line, message: "column \(error.column): \(error.message)")
                ])
        }
        var top = TableReader(root, path: "")
        let id = top.requiredString("id")
        let title = top.requiredString("title")
        let version = top.requiredString("version")
        let reference = top.string("reference")
        var rounding = Rounding()
        if let mode = top.string("rounding") {
            if let m = Rounding.Mode(rawValue: mode) {
                rounding.mode = m
            } else {
                top.problem("rounding", "\"\(mode)\" is not one of down (toward −∞, the default), nearest, up")
            }
        }
        if let scale = top.integer("rounding_scale", range: 0...10) { rounding.scale = Int(scale) }
        let result = top.string("result")

        var parameters: [Parameter] = []
        for (i, t) in top.tables("parameter").enumerated() {
            var r = TableReader(t, path: "parameter[\(i + 1)]")
            if let p = readParameter(&r) {
                if parameters.contains(where: { $0.id == p.id }) {
                    r.problem("id", "\"\(p.id)\" is already a parameter")
                } else {
                    parameters.append(p)
                }
            }
            top.problems += r.finish()
        }
        // Parameters whose table has its own problem: an equation naming one is not wrong too.
        let failedParameters = Set(top.tables("parameter").compactMap { $0["id"]?.value.stringValue }).subtracting(
            parameters.map(\.id))
        var equations: [Equation] = []
        let equationTables = top.tables("equation")
        var mentioned: Set<String> = []
        var allRead = true
        for (i, t) in equationTables.enumerated() {
            var r = TableReader(t, path: "equation[\(i + 1)]")
            let e = readEquation(
                &r, parameters: parameters, above: equations, tables: equationTables, index: i, mentioned: &mentioned,
                failedParameters: failedParameters)
            if e == nil { allRead = false }
            if let e {
                if parameters.contains(where: { $0.id == e.id }) || equations.contains(where: { $0.id == e.id }) {
                    r.problem("id", "\"\(e.id)\" is already a parameter or an equation")
                } else {
                    equations.append(e)
                }
            }
            top.problems += r.finish()
        }
        if root["equation"] == nil { top.problem("equation", "at least one [[equation]] is required") }
        // Only once every equation was read: a broken one may be the one that uses it.
        for (i, p) in parameters.enumerated() where allRead && !mentioned.contains(p.id) {
            top.problems.append(
                ConfigProblem(
                    key: "parameter[\(i + 1)].id", line: p.line, message: "\(p.id) is not used by any equation"))
        }
        let resultID = result ?? equations.last?.id
        // An equation that is there but has a problem of its own is not missing.
        if let result, !equations.contains(where: { $0.id == result }),
            !equationTables.contains(where: { $0["id"]?.value.stringValue == result })
        {
            top.problem("result", "no [[equation]] has id \"\(result)\"")
        }
        let problems = top.finish()
        guard problems.isEmpty, let id, let title, let version, let resultID else {
            throw ConfigError(file: file, problems: problems.sorted { $0.line < $1.line })
        }
        return Methodology(
            file: file, id: id, title: title, version: version, reference: reference, rounding: rounding,
            result: resultID, parameters: parameters, equations: equations)
    }

    private static func readParameter(_ r: inout TableReader) -> Parameter? {
        let id = r.requiredString("id")
        if let id, !ExpressionParser.isName(id) {
            r.problem("id", "\"\(id)\" is not a name an expression can use (letters, digits, _; not min or max)")
        }
        let unit = r.requiredString("unit")
        var option: Config.MonitoringOption?
        if let o = r.requiredString("option") {
            option = Config.MonitoringOption(rawValue: o)
            if option == nil {
                r.problem("option", "\"\(o)\" is not one of A (fixed ex ante), B (transaction records), C (measured)")
            }
        }
        var effect: Effect?
        if let e = r.requiredString("effect") {
            effect = Effect(rawValue: e)
            if effect == nil {
                r.problem(
                    "effect", "\"\(e)\" is not one of raises, lowers (how a larger value moves the emission reductions)"
                )
            }
        }
        if let unit, let option, option != .a, MeasurementUnit.named(unit) == nil {
            r.problem(
                "unit",
                "a measured parameter needs a unit meters can be converted to, not \"\(unit)\" (known: \(MeasurementUnit.all.map(\.symbol).joined(separator: ", ")))"
            )
        }
        let description = r.string("description")
        guard let id, let unit, let option, let effect, ExpressionParser.isName(id) else { return nil }
        return Parameter(
            id: id, unitText: unit, option: option, effect: effect, description: description, line: r.table.line)
    }

    private static func readEquation(
        _ r: inout TableReader, parameters: [Parameter], above: [Equation], tables: [TOMLTable], index: Int,
        mentioned: inout Set<String>,
        failedParameters: Set<String> = []
    ) -> Equation? {
        let id = r.requiredString("id")
        if let id, !ExpressionParser.isName(id) {
            r.problem("id", "\"\(id)\" is not a name an expression can use (letters, digits, _; not min or max)")
        }
        let unit = r.string("unit")
        _ = r.string("description")
        guard let source = r.requiredString("expression") else { return nil }
        let expression: Expression
        do {
            expression = try ExpressionParser.parse(source)
        } catch {
            r.problem("expression", error.description)
            return nil
        }
        mentioned.formUnion(expression.names)
        let known = Set(parameters.map(\.id) + above.map(\.id))
        func declares(_ t: TOMLTable) -> String? { t["id"]?.value.stringValue }
        // An equation above that failed has its own problem; repeating it here is noise.
        let failedAbove = Set(tables[..<index].compactMap(declares)).subtracting(known).union(failedParameters)
        var reported: Set<String> = []
        for name in expression.names
        where !known.contains(name) && reported.insert(name).inserted && !failedAbove.contains(name) {
            let later = tables[(index + 1)...].contains { declares($0) == name }
            r.problem(
                "expression",
                name == id
                    ? "\(name) uses itself"
                    : later
                        ? "\(name) is an equation below this one: an equation may use only parameters and equations above it"
                        : "\(name) is not a parameter or an equation above this one")
        }
        guard let id, ExpressionParser.isName(id), reported.isEmpty else { return nil }
        return Equation(id: id, expression: expression, source: source, unit: unit, line: r.table.line)
    }
}
