import Foundation

/// Loading each project's methodology file when the configuration is read, so `check-config`
/// finds a broken equation or a missing emission factor before a period is ever calculated.
extension Config {
    /// Problems are located at the project's `calculation` (or `values`) key; a problem inside
    /// the methodology file carries that file's own `file:line: key:` in its message.
    mutating func loadCalculations(
        projectTables: [String: (index: Int, table: TOMLTable)],
        readFile: (String) throws -> String
    ) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        var cache: [String: Result<Methodology, ConfigError>] = [:]
        var texts: [String: String] = [:]
        for project in projects {
            guard let path = project.calculation, let (index, table) = projectTables[project.id] else { continue }
            func problem(_ key: String, _ line: Int?, _ message: String) {
                problems.append(
                    ConfigProblem(
                        key: "project[\(index + 1)].\(key)", line: line ?? table["calculation"]?.line ?? table.line,
                        message: message))
            }
            let loaded: Result<Methodology, ConfigError>
            if let hit = cache[path] {
                loaded = hit
            } else {
                do {
                    let text = try readFile(path)
                    texts[path] = text
                    loaded = Result { () throws(ConfigError) in try Methodology.parse(text, file: path) }
                } catch {
                    problem("calculation", nil, "cannot read \(path): \((error as NSError).localizedDescription)")
                    continue
                }
                cache[path] = loaded
            }
            switch loaded {
            case .failure(let e):
                for p in e.problems { problem("calculation", nil, "\(e.file):\(p.line): \(p.key): \(p.message)") }
            case .success(let m):
                check(m, for: project, table: table, problem: problem)
                methodologies[project.id] = m
                methodologyTexts[project.id] = texts[path]
            }
        }
        return problems
    }

    private func check(
        _ m: Methodology, for project: Project, table: TOMLTable,
        problem: (String, Int?, String) -> Void
    ) {
        let valuesTable = table["values"]?.value.tableValue
        // A value written but refused (a TOML float) has its own problem already.
        for p in m.fixedParameters where project.values[p.id] == nil && valuesTable?[p.id] == nil {
            problem(
                "values", table["values"]?.line,
                "no value for \(p.id) (\(p.unitText)), an option A parameter of \(m.id)")
        }
        for key in project.values.keys.sorted() {
            let line = valuesTable?[key]?.line
            if let p = m.parameter(key) {
                if p.option != .a {
                    problem(
                        "values.\(key)", line,
                        "\(key) is measured (option \(p.option.rawValue)) in \(m.id): its value comes from the meters")
                }
            } else {
                problem("values.\(key)", line, "\(m.id) has no parameter \(key)")
            }
        }
        let sourcesTable = table["value_sources"]?.value.tableValue
        for key in project.valueSources.keys.sorted() where m.parameter(key)?.option != .a {
            problem(
                "value_sources.\(key)", sourcesTable?[key]?.line,
                "\(m.id) has no option A parameter \(key): sources are for the fixed values")
        }
        for p in m.measuredParameters {
            guard let declared = parameters.first(where: { $0.project == project.id && $0.id == p.id }) else {
                problem(
                    "calculation", nil,
                    "\(m.id) measures \(p.id) (option \(p.option.rawValue), \(p.unitText)): declare it as a [[parameter]] of project \(project.id)"
                )
                continue
            }
            if let unit = p.unit, unit.dimension != declared.unit.dimension {
                problem(
                    "calculation", nil,
                    "\(m.id) measures \(p.id) in \(unit) (\(unit.dimension)), but the plan keeps it in \(declared.unit) (\(declared.unit.dimension))"
                )
            }
            if declared.option == .a {
                problem(
                    "calculation", nil,
                    "\(m.id) measures \(p.id) (option \(p.option.rawValue)), but the plan declares it option A")
            }
        }
    }
}
