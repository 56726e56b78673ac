/// A worksheet's rows, one at a time, from its XML part (`xl/worksheets/sheetN.xml`).
///
/// Each cell comes back as the text a reader of the sheet would act on: a number exactly as
/// stored in the XML (never through a Double), a date cell as its local date and time, a shared
/// or inline string as its text, a boolean as TRUE or FALSE. An error cell (#N/A) keeps its code
/// and says so, so the decoder can refuse it by name.
public struct XLSXSheetReader<Source: ByteSource> {
    public enum Kind: Sendable, Equatable {
        case number, date, string, boolean, error
    }

    public struct Cell: Sendable, Equatable {
        public var column: Int
        public var text: String
        public var kind: Kind
    }

    public struct Row: Sendable, Equatable {
        public var number: Int
        public var cells: [Cell]
    }

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var cell: String?
        public var message: String
        public var description: String { (cell.map { $0 + ": " } ?? "") + message }
    }

    private var reader: XMLPullReader<Source>
    private let sharedStrings: [String]
    private let dateStyles: Set<Int>
    private let date1904: Bool
    private var lastRow = 0

    public init(source: Source, sharedStrings: [String], dateStyles: Set<Int>, date1904: Bool) {
        self.reader = XMLPullReader(source: source)
        self.sharedStrings = sharedStrings
        self.dateStyles = dateStyles
        self.date1904 = date1904
    }

    public var bytesRead: Int { reader.offset }

    /// The next row that has a `<row>` element, nil after the last.
    public mutating func next() throws(Failure) -> Row? {
        do {
            while let event = try reader.next() {
                guard case .start(let tag) = event, tag.name == "row" else { continue }
                let number = tag.attribute("r").flatMap(Int.init) ?? lastRow + 1
                guard number > lastRow else {
                    throw Failure(cell: nil, message: "row \(number) comes after row \(lastRow)")
                }
                lastRow = number
                if tag.selfClosing { return Row(number: number, cells: []) }
                return Row(number: number, cells: try cells(row: number))
            }
            return nil
        } catch let failure as Failure {
            throw failure
        } catch let malformed as XMLPullReader<Source>.Malformed {
            throw Failure(cell: nil, message: malformed.description)
        } catch {
            throw Failure(cell: nil, message: "\(error)")
        }
    }

    private mutating func cells(row: Int) throws -> [Cell] {
        var cells: [Cell] = []
        var nextColumn = 0
        while let event = try reader.next() {
            switch event {
            case .end(let name) where name == "row":
                return cells
            case .start(let tag) where tag.name == "c":
                var column = nextColumn
                if let r = tag.attribute("r") {
                    guard let reference = CellReference(r), reference.row == row else {
                        throw Failure(cell: r, message: "cell reference \(r) is not in row \(row)")
                    }
                    column = reference.column
                }
                let reference = CellReference(column: column, row: row).description
                guard column >= nextColumn else {
                    throw Failure(cell: reference, message: "cell \(reference) comes after a cell to its right")
                }
                nextColumn = column + 1
                let (raw, inline) = tag.selfClosing ? (nil, nil) : try contents()
                if let cell = try cell(tag, column: column, reference: reference, value: raw, inline: inline) {
                    cells.append(cell)
                }
            default:
                continue
            }
        }
        throw Failure(cell: nil, message: "sheet ends inside row \(row)")
    }

    private enum Target { case none, value, inline }

    /// The cell's `<v>` text and its inline string (`<is>`), read up to `</c>`.
    private mutating func contents() throws -> (String?, String?) {
        var value: String?
        var inline: String?
        var target = Target.none
        var phonetic = false
        while let event = try reader.next() {
            switch event {
            case .start(let tag):
                if tag.name == "rPh" { phonetic = !tag.selfClosing }  // furigana: not part of the text
                guard !tag.selfClosing, !phonetic else { continue }
                if tag.name == "v" {
                    target = .value
                    value = value ?? ""
                } else if tag.name == "t" {
                    target = .inline
                    inline = inline ?? ""
                }
                reader.captureText = target != .none
            case .text(let text):
                switch target {
                case .value: value? += text
                case .inline: inline? += text
                case .none: break
                }
            case .end(let name):
                if name == "v" || name == "t" {
                    target = .none
                    reader.captureText = false
                } else if name == "rPh" {
                    phonetic = false
                } else if name == "c" {
                    return (value, inline)
                }
            }
        }
        throw Failure(cell: nil, message: "sheet ends inside a cell")
    }

    private func cell(_ tag: XMLPullReader<Source>.Tag, column: Int, reference: String, value: String?, inline: String?)
        throws -> Cell?
    {
        let type = tag.attribute("t") ?? "n"
        switch type {
        case "s":
            guard let value else { return nil }
            guard let index = Int(value), sharedStrings.indices.contains(index) else {
                throw Failure(cell: reference, message: "shared string \(value) does not exist")
            }
            return Cell(column: column, text: sharedStrings[index], kind: .string)
        case "inlineStr":
            return Cell(column: column, text: XLSXParts.unescape(inline ?? value ?? ""), kind: .string)
        case "str":
            return value.map { Cell(column: column, text: XLSXParts.unescape($0), kind: .string) }
        case "b":
            return value.map { Cell(column: column, text: $0 == "1" ? "TRUE" : "FALSE", kind: .boolean) }
        case "e":
            return Cell(column: column, text: value ?? "#VALUE!", kind: .error)
        case "d":
            // ISO 8601 as written (strict OOXML); read like a CSV timestamp.
            return value.map { Cell(column: column, text: $0, kind: .date) }
        case "n":
            guard let value else { return nil }
            let style = tag.attribute("s").flatMap(Int.init) ?? 0
            guard dateStyles.contains(style) else { return Cell(column: column, text: value, kind: .number) }
            guard let local = ExcelDate.localTime(serial: value, date1904: date1904) else {
                throw Failure(cell: reference, message: "date serial \(value) is not a date this reader can place")
            }
            return Cell(column: column, text: local, kind: .date)
        default:
            throw Failure(cell: reference, message: "unknown cell type t=\"\(type)\"")
        }
    }
}
