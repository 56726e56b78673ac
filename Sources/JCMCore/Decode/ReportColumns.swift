/// The header rule of a tabular report (CSV or a spreadsheet): names compared trimmed and
/// case-insensitively, each once, `meter_id,timestamp,value,unit` required in any order, any
/// other column kept with the reading as `extra`.
struct ReportColumns {
    static let required = ["meter_id", "timestamp", "value", "unit"]

    enum Problem: Error {
        case duplicate(String)
        case missing([String])

        var message: String {
            switch self {
            case .duplicate(let name): return "column \"\(name)\" appears twice in the header"
            case .missing(let names):
                return
                    "header lacks column\(names.count > 1 ? "s" : "") \(names.joined(separator: ", ")) (needs \(ReportColumns.required.joined(separator: ",")))"
            }
        }
    }

    let header: [String]
    let meter: Int
    let timestamp: Int
    let value: Int
    let unit: Int
    let extra: [Int]

    init(names: [String]) throws(Problem) {
        header = names.map { $0.trimmingSpaces.lowercased() }
        var index: [String: Int] = [:]
        for (i, name) in header.enumerated() {
            if index[name] != nil { throw .duplicate(name) }
            index[name] = i
        }
        let missing = Self.required.filter { index[$0] == nil }
        guard missing.isEmpty, let m = index["meter_id"], let t = index["timestamp"], let v = index["value"],
            let u = index["unit"]
        else { throw .missing(missing) }
        (meter, timestamp, value, unit) = (m, t, v, u)
        extra = header.indices.filter { ![m, t, v, u].contains($0) }
    }
}
