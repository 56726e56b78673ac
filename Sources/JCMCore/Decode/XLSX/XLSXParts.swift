/// The small parts of a workbook read before its sheet: the sheet names and where each is
/// stored, the 1904 date system flag, the shared strings, and which cell styles are dates.
/// Each is parsed from its XML text; opening the zip is the caller's (I/O) business.
public enum XLSXParts {
    public struct Sheet: Sendable, Equatable {
        public var name: String
        /// Path inside the archive, e.g. "xl/worksheets/sheet1.xml".
        public var path: String
    }

    public struct Workbook: Sendable, Equatable {
        public var sheets: [Sheet]
        public var date1904: Bool
    }

    /// `xl/workbook.xml` and `xl/_rels/workbook.xml.rels`.
    public static func workbook(_ workbook: [UInt8], relationships: [UInt8]) throws -> Workbook {
        var targets: [String: String] = [:]
        var rels = XMLPullReader(source: MemorySource(relationships))
        while let event = try rels.next() {
            if case .start(let tag) = event, tag.name == "Relationship", let id = tag.attribute("Id"),
                let target = tag.attribute("Target")
            {
                targets[id] = target
            }
        }
        var sheets: [Sheet] = []
        var date1904 = false
        var reader = XMLPullReader(source: MemorySource(workbook))
        while let event = try reader.next() {
            guard case .start(let tag) = event else { continue }
            if tag.name == "workbookPr" {
                date1904 = ["1", "true"].contains(tag.attribute("date1904") ?? "")
            } else if tag.name == "sheet", let name = tag.attribute("name"), let id = tag.attribute("id"),
                let target = targets[id]
            {
                sheets.append(Sheet(name: name, path: resolve(target)))
            }
        }
        return Workbook(sheets: sheets, date1904: date1904)
    }

    /// Targets are relative to xl/ unless absolute ("/xl/worksheets/sheet1.xml").
    static func resolve(_ target: String) -> String {
        if target.hasPrefix("/") { return String(target.dropFirst()) }
        var parts = ["xl"]
        for part in target.split(separator: "/") {
            if part == ".." { _ = parts.popLast() } else if part != "." { parts.append(String(part)) }
        }
        return parts.joined(separator: "/")
    }

    /// `xl/sharedStrings.xml`: each `<si>` is one string, its runs (`<r><t>`) joined.
    public static func sharedStrings<S: ByteSource>(_ source: S) throws -> [String] {
        var strings: [String] = []
        var reader = XMLPullReader(source: source)
        var current: String?
        var inPhonetic = false
        while let event = try reader.next() {
            switch event {
            case .start(let tag):
                if tag.name == "si" {
                    current = ""
                    if tag.selfClosing {
                        strings.append("")
                        current = nil
                    }
                } else if tag.name == "rPh" {
                    inPhonetic = !tag.selfClosing  // furigana: shown above, not part of the text
                } else if tag.name == "t" && !tag.selfClosing {
                    reader.captureText = !inPhonetic
                }
            case .text(let text):
                current? += text
            case .end(let name):
                if name == "t" { reader.captureText = false }
                if name == "rPh" { inPhonetic = false }
                if name == "si", let s = current {
                    strings.append(unescape(s))
                    current = nil
                }
            }
        }
        return strings
    }

    /// `_x000D_`: how OOXML writes characters XML cannot carry.
    static func unescape(_ s: String) -> String {
        guard s.contains("_x") else { return s }
        var out = ""
        var rest = Substring(s)
        while let start = rest.range(of: "_x") {
            out += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            let hex = after.prefix(4)
            if hex.count == 4, after.dropFirst(4).first == "_", let code = UInt32(hex, radix: 16),
                let scalar = Unicode.Scalar(code)
            {
                out.unicodeScalars.append(scalar)
                rest = after.dropFirst(5)
            } else {
                out += "_x"
                rest = after
            }
        }
        return out + rest
    }

    /// `xl/styles.xml`: the indexes of `cellXfs` whose number format shows a date or a time.
    public static func dateStyles(_ styles: [UInt8]) throws -> Set<Int> {
        var custom: [Int: String] = [:]
        var formats: [Int] = []
        var inCellXfs = false
        var reader = XMLPullReader(source: MemorySource(styles))
        while let event = try reader.next() {
            switch event {
            case .start(let tag):
                if tag.name == "numFmt", let id = tag.attribute("numFmtId").flatMap(Int.init),
                    let code = tag.attribute("formatCode")
                {
                    custom[id] = code
                } else if tag.name == "cellXfs" {
                    inCellXfs = !tag.selfClosing
                } else if tag.name == "xf" && inCellXfs {
                    formats.append(tag.attribute("numFmtId").flatMap(Int.init) ?? 0)
                }
            case .end(let name):
                if name == "cellXfs" { inCellXfs = false }
            case .text:
                break
            }
        }
        var dates = Set<Int>()
        for (index, id) in formats.enumerated() where isDateFormat(id: id, code: custom[id]) {
            dates.insert(index)
        }
        return dates
    }

    /// Built-in ids 14-22 and 45-47 are dates and times; a custom code is one when it has a date
    /// or time letter outside quotes, brackets (colours, locales) and escapes.
    static func isDateFormat(id: Int, code: String?) -> Bool {
        if (14...22).contains(id) || (45...47).contains(id) { return true }
        guard let code else { return false }
        var inQuote = false
        var inBracket = false
        var escaped = false
        for c in code.lowercased() {
            if escaped {
                escaped = false
                continue
            }
            switch c {
            case "\\": escaped = true
            case "\"": inQuote.toggle()
            case "[" where !inQuote: inBracket = true
            case "]" where !inQuote: inBracket = false
            case "y", "m", "d", "h", "s": if !inQuote && !inBracket { return true }
            default: break
            }
        }
        return false
    }
}
