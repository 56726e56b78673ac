/// The mutable tree the parser fills in. It is a reference tree so `[a.b]` can hand
/// back the table to keep writing into without copying value-type tables up and
/// down the path; it is frozen into `TOMLTable` values at the end.
///
/// Each table remembers how it came to exist, because TOML's redefinition rules
/// depend on that and nothing else.
final class TOMLTableBuilder {
    enum Origin {
        case root
        /// Created as a step of a longer header (`a` in `[a.b]`); may still get its own `[a]` once.
        case implicit
        /// Defined by `[a]`; may never be defined again.
        case header
        /// Created by a dotted key; only more dotted keys in the same place may add to it.
        case dotted
        /// `{ ... }`; sealed once its closing brace is read.
        case inline
        /// One `[[a]]` entry.
        case arrayElement
    }

    final class TableArray {
        let line: Int
        var elements: [TOMLTableBuilder]
        init(line: Int, elements: [TOMLTableBuilder]) {
            self.line = line
            self.elements = elements
        }
    }

    enum Slot {
        /// A finished value: scalars, static arrays and inline tables, which nothing may extend.
        case value(TOMLNode)
        case table(TOMLTableBuilder)
        case tableArray(TableArray)

        var line: Int {
            switch self {
            case .value(let node): return node.line
            case .table(let table): return table.line
            case .tableArray(let array): return array.line
            }
        }
    }

    var origin: Origin
    var line: Int
    /// Full key path from the root, for messages only.
    let path: [String]
    private(set) var keys: [String] = []
    private(set) var slots: [String: Slot] = [:]

    init(origin: Origin, line: Int, path: [String]) {
        self.origin = origin
        self.line = line
        self.path = path
    }

    func add(_ key: String, _ slot: Slot) {
        keys.append(key)
        slots[key] = slot
    }

    func build() -> TOMLTable {
        var table = TOMLTable(line: line)
        for key in keys {
            switch slots[key]! {
            case .value(let node):
                table.set(node, forKey: key)
            case .table(let sub):
                table.set(TOMLNode(value: .table(sub.build()), line: sub.line), forKey: key)
            case .tableArray(let array):
                let items = array.elements.map { TOMLNode(value: .table($0.build()), line: $0.line) }
                table.set(TOMLNode(value: .array(items), line: array.line), forKey: key)
            }
        }
        return table
    }
}

/// Formats key paths the way they would be written in the file.
enum TOMLKeyPath {
    static func display(_ path: [String]) -> String {
        path.map { segment in
            if !segment.isEmpty, segment.utf8.allSatisfy(TOMLChars.isBareKeyChar) { return segment }
            var escaped = ""
            for scalar in segment.unicodeScalars {
                switch scalar {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case "\n": escaped += "\\n"
                case "\t": escaped += "\\t"
                default:
                    if scalar.value < 0x20 || scalar.value == 0x7F {
                        escaped += "\\u" + String(TOMLChars.unicodeName(scalar.value).dropFirst(2))
                    } else {
                        escaped.unicodeScalars.append(scalar)
                    }
                }
            }
            return "\"" + escaped + "\""
        }.joined(separator: ".")
    }
}
