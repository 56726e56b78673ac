import Foundation
import JCMCore
import JCMPostgres

/// Writes a period's result as text for a reader, or as JSON or CSV with the dataset streamed
/// row by row after it (never held whole).
struct ReportPrinter {
    typealias Fields = [(String, String)]

    private func write(_ s: String) { FileHandle.standardOutput.write(Data(s.utf8)) }

    func text(registry: Fields, result: PeriodResult, meters: [Fields], corrections: [Fields]) {
        func line(_ f: Fields) -> String { f.map { "\($0.0)=\($0.1)" }.joined(separator: " ") }
        var s = "Registry\n" + registry.map { "  \($0.0): \($0.1)\n" }.joined()
        s += "Parameters\n" + result.parameters.map { "  " + line($0.fields.map { ($0.name, $0.value) }) + "\n" }.joined()
        s += "Meters\n" + meters.map { "  " + line($0) + "\n" }.joined()
        if !result.corrections.isEmpty {
            s += "Corrections (conservative)\n" + result.corrections.map { "  " + line($0.fields.map { ($0.name, $0.value) }) + "\n" }.joined()
        }
        if !corrections.isEmpty { s += "Corrections recorded in jcm.corrections\n" + corrections.map { "  " + line($0) + "\n" }.joined() }
        if !result.notes.isEmpty { s += "Notes\n" + result.notes.map { "  " + line($0.fields.map { ($0.name, $0.value) }) + "\n" }.joined() }
        s += "Equations\n" + result.equations.map { "  " + line($0.fields.map { ($0.name, $0.value) }) + "\n" }.joined()
        s += "Result\n  " + line(result.fields.map { ($0.name, $0.value) }) + "\n"
        write(s)
    }

    func json(registry: Fields, result: PeriodResult, meters: [Fields], corrections: [Fields],
              dataset: ((([String?]) -> Void)) throws -> Void) throws {
        func object(_ f: Fields) -> JSONValue { .object(JSONObject(f.map { (key: $0.0, value: JSONValue.string($0.1)) })) }
        func array(_ items: [Fields]) -> JSONValue { .array(items.map(object)) }
        let head = JSONObject([
            ("registry", object(registry)), ("result", object(result.fields.map { ($0.name, $0.value) })),
            ("parameters", array(result.parameters.map { $0.fields.map { ($0.name, $0.value) } })),
            ("meters", array(meters)),
            ("corrections", array(result.corrections.map { $0.fields.map { ($0.name, $0.value) } })),
            ("recorded_corrections", array(corrections)),
            ("notes", array(result.notes.map { $0.fields.map { ($0.name, $0.value) } })),
            ("equations", array(result.equations.map { $0.fields.map { ($0.name, $0.value) } })),
        ])
        var text = JSONValue.object(head).compactText
        text.removeLast()  // the dataset follows inside the same object
        write(text + ",\"dataset\":[\n")
        var first = true
        try dataset { row in
            let o = JSONObject(zip(PeriodStore.datasetColumns, row).map { (key: $0.0, value: $0.1.map(JSONValue.string) ?? .null) })
            write((first ? "" : ",\n") + JSONValue.object(o).compactText)
            first = false
        }
        write("\n]}\n")
    }

    /// Two tables separated by an empty line: the registry and result fields (field,value), then
    /// the dataset with its header.
    func csv(registry: Fields, result: PeriodResult, dataset: ((([String?]) -> Void)) throws -> Void) throws {
        func cell(_ s: String?) -> String {
            guard let s else { return "" }
            return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var s = "field,value\n"
        for (k, v) in registry + result.fields.map({ ($0.name, $0.value) }) { s += cell(k) + "," + cell(v) + "\n" }
        write(s + "\n" + PeriodStore.datasetColumns.joined(separator: ",") + "\n")
        try dataset { row in write(row.map(cell).joined(separator: ",") + "\n") }
    }
}
