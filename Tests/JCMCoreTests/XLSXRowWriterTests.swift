import Foundation
import Testing

@testable import JCMCore

/// The Dataset's byte writer, read back with the project's own sheet reader: what a spreadsheet
/// shows must not depend on whether a string went into the shared table or inline.
@Suite struct XLSXRowWriterTests {
    func readBack(_ w: XLSXRowWriter) throws -> [[String]] {
        let xml = "<worksheet><sheetData>" + String(decoding: w.bytes, as: UTF8.self) + "</sheetData></worksheet>"
        let strings = try XLSXParts.sharedStrings(MemorySource(Array(w.strings.xml.utf8)))
        var reader = XLSXSheetReader(
            source: MemorySource(xml), sharedStrings: strings, dateStyles: [XLSXStyle.dateTime], date1904: false)
        var rows: [[String]] = []
        while let row = try reader.next() {
            var cells = Array(repeating: "", count: row.cells.map(\.column).max().map { $0 + 1 } ?? 0)
            for c in row.cells { cells[c.column] = c.text }
            rows.append(cells)
        }
        return rows
    }

    @Test func cellsAreWrittenAsXLSXCellWritesThemAndReadBack() throws {
        var w = XLSXRowWriter(kinds: [.text, .time])
        let row: [FieldValue] = [
            .text("PV-1"), .text("2026-01-01T00:15:00Z"), .decimal(ExactDecimal(parsing: "-0.000501")!),
            .decimal(ExactDecimal(parsing: "12.50")!), .integer(-42), .boolean(true), .null,
            .text("=HYPERLINK(\"x\")"), .text(" padded "),
            .decimal(ExactDecimal(parsing: "123456789012345678901234.5")!),
        ]
        w.append(row)
        let xml = String(decoding: w.bytes, as: UTF8.self)
        #expect(xml.hasPrefix("<row><c t=\"s\"><v>0</v></c><c s=\"2\"><v>46023.010416666664</v></c>"))
        #expect(xml.contains("<c s=\"\(XLSXStyle.decimals(6))\"><v>-0.000501</v></c>"))
        #expect(xml.contains("<c s=\"\(XLSXStyle.decimals(0))\"><v>-42</v></c><c t=\"b\"><v>1</v></c><c/>"))
        #expect(w.strings.entries == ["PV-1", "'=HYPERLINK(&quot;x&quot;)", " padded "])
        #expect(w.strings.xml.contains("<si><t xml:space=\"preserve\"> padded </t></si>"))
        let back = try readBack(w)
        #expect(
            back == [
                [
                    "PV-1", "2026-01-01T00:15:00", "-0.000501", "12.50", "-42", "TRUE", "", "'=HYPERLINK(\"x\")",
                    " padded ", "123456789012345678901234.5",
                ]
            ])
        #expect(w.rows == 1)
    }

    /// A column of values that never repeat (raw readings) goes inline once its trial shows it,
    /// while a repeating one (the meter) stays in the table; both read back the same.
    @Test func aColumnThatDoesNotRepeatIsWrittenInline() throws {
        var w = XLSXRowWriter(kinds: [])
        let n = XLSXSharedStrings.trial + 100
        for i in 0..<n { w.append([.text("PV-\(i % 3)"), .text("r\(i)")]) }
        let back = try readBack(w)
        #expect(back.count == n)
        #expect(back.enumerated().allSatisfy { $0.element == ["PV-\($0.offset % 3)", "r\($0.offset)"] })
        #expect(w.strings.entries.count == 3 + XLSXSharedStrings.trial / 8)
        // The meters are the table's entries 0, 2 and 4: the first raw readings sit between them.
        let last = String(decoding: w.bytes.suffix(80), as: UTF8.self)
        #expect(
            last.hasSuffix(
                "<row><c t=\"s\"><v>\([0, 2, 4][(n - 1) % 3])</v></c><c t=\"inlineStr\"><is><t>r\(n - 1)</t></is></c></row>"
            ))
    }

    /// COPY text written straight from its bytes gives the very XML the typed values give, for
    /// every kind and for text that is not what its column expects.
    @Test func copyTextWritesWhatTypedValuesWrite() {
        let kinds: [XLSXRowWriter.Kind] = [.text, .time, .integer, .decimal, .boolean, .text]
        // How the report types a COPY field (ColumnType.value), for the typed writer.
        func typed(_ kind: XLSXRowWriter.Kind, _ text: String?) -> FieldValue {
            guard let text else { return .null }
            switch kind {
            case .integer: return Int(text).map { .integer($0) } ?? .text(text)
            case .decimal: return ExactDecimal(parsing: text).map { .decimal($0) } ?? .text(text)
            case .boolean: return .boolean(text == "t")
            case .text, .time: return .text(text)
            }
        }
        let rows: [[String?]] = [
            ["PV-1", "2026-01-01T00:15:00Z", "42", "0.501", "t", "=cmd"],
            ["PV-1", "2026-01-01T00:15:00.25Z", "-7", "-0.000501", "f", nil],
            ["PV-1", "not a time", "+5", "12.50", "t", "a<b"],
            [" sp ", nil, "9223372036854775807", "NaN", nil, "東京"],
            ["", "2026-01-01T00:30:00Z", "9223372036854775808", "1e3", "t", ""],
            ["PV-2", "2026-01-01T00:30:00Z", "x1", "-12", "t", "=cmd"],
            ["PV-2", "2026-01-01T00:45:00Z", "-9223372036854775808", "0", "t", "=cmd"],
        ]
        var typedWriter = XLSXRowWriter(kinds: kinds)
        var copyWriter = XLSXRowWriter(kinds: kinds)
        for row in rows {
            typedWriter.append(zip(kinds, row).map { typed($0, $1) })
            var bytes: [UInt8] = []
            var fields: [(start: Int, end: Int)] = []
            for f in row {
                guard let f else {
                    fields.append((bytes.count, -1))
                    continue
                }
                fields.append((bytes.count, bytes.count + f.utf8.count))
                bytes += f.utf8
            }
            bytes.withUnsafeBufferPointer { copyWriter.append(utf8: $0, fields: fields) }
        }
        #expect(String(decoding: copyWriter.bytes, as: UTF8.self) == String(decoding: typedWriter.bytes, as: UTF8.self))
        #expect(copyWriter.strings.xml == typedWriter.strings.xml)
        #expect(copyWriter.rows == rows.count)
    }
}
