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
        var w = XLSXRowWriter(timeColumns: [false, true])
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
        var w = XLSXRowWriter(timeColumns: [])
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
}
