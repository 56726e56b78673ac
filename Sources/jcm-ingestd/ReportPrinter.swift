import Foundation
import JCMCore
import JCMPostgres

/// Writes a period's report: text for a reader, JSON with the dataset streamed row by row after
/// the tables (never held whole), or a folder of CSV files, one clean table per section.
struct ReportPrinter {
    var summary: Fields
    var tables: [ReportTable]
    /// Streams the dataset's rows, typed per column.
    var dataset: (([FieldValue]) throws -> Void) throws -> Void

    static let datasetColumns = PeriodStore.datasetColumns

    func text(to out: Output) throws {
        func line(_ f: Fields) -> String { f.map { "\($0.name)=\($0.value)" }.joined(separator: " ") }
        var s = "Summary\n" + summary.map { "  \($0.name): \($0.value)\n" }.joined()
        for t in tables where !t.rows.isEmpty {
            s += title(t.name) + "\n" + t.objects.map { "  " + line($0) + "\n" }.joined()
        }
        try out.write(s)
    }

    func json(to out: Output) throws {
        func value(_ v: FieldValue) -> JSONValue {
            switch v {
            case .text(let s): .string(s)
            case .decimal(let d): .string(d.description)
            case .integer(let i): .number(String(i))
            case .boolean(let b): .bool(b)
            case .time(let t): .string(t.description)
            case .null: .null
            }
        }
        func object(_ f: Fields) -> JSONValue { .object(JSONObject(f.map { (key: $0.name, value: value($0.value)) })) }
        var members: [(key: String, value: JSONValue)] = [(key: "summary", value: object(summary))]
        for t in tables { members.append((key: t.name, value: .array(t.objects.map(object)))) }
        var text = JSONValue.object(JSONObject(members)).compactText
        text.removeLast()  // the dataset follows inside the same object
        try out.write(text + ",\"dataset\":[\n")
        var first = true
        try dataset { row in
            let o = Array(zip(Self.datasetColumns, row)).map { (name: $0.0, value: $0.1) }
            try out.write((first ? "" : ",\n") + object(o).compactText)
            first = false
        }
        try out.write("\n]}\n")
    }

    /// One file per section in `folder`: summary.csv (field,value), then each table and
    /// dataset.csv. Returns the files written.
    func csv(folder: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func row(_ cells: [FieldValue]) -> String { cells.map(SpreadsheetText.csvField).joined(separator: ",") + "\n" }
        var written: [String] = []
        func file(_ name: String, _ body: (Output) throws -> Void) throws {
            let path = (folder as NSString).appendingPathComponent(name + ".csv")
            let out = try Output(path: path)
            try body(out)
            try out.close()
            written.append(path)
        }
        try file("summary") { out in
            try out.write("field,value\n" + summary.map { row([.text($0.name), $0.value]) }.joined())
        }
        for t in tables {
            try file(t.name) { out in try out.write(row(t.columns.map { .text($0) }) + t.rows.map(row).joined()) }
        }
        try file("dataset") { out in
            try out.write(row(Self.datasetColumns.map { .text($0) }))
            try dataset { try out.write(row($0)) }
        }
        return written
    }

    private func title(_ name: String) -> String {
        name.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }
}

/// Standard output or a file written whole: a file is written beside its name and renamed on
/// close, so an interrupted report never leaves half a file under the name.
final class Output {
    private let handle: FileHandle
    private let path: String?

    static var standard: Output { Output(handle: .standardOutput) }

    private init(handle: FileHandle) {
        self.handle = handle
        self.path = nil
    }

    init(path: String) throws {
        let part = path + ".part"
        guard FileManager.default.createFile(atPath: part, contents: nil) else {
            throw ValidationErrorMessage("cannot write \(part)")
        }
        self.handle = try FileHandle(forWritingTo: URL(fileURLWithPath: part))
        self.path = path
    }

    func write(_ s: String) throws { try handle.write(contentsOf: Data(s.utf8)) }

    func close() throws {
        guard let path else { return }
        try handle.close()
        _ = try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: path + ".part", toPath: path)
    }
}
