import Testing

@testable import JCMCore

@Suite("xlsx reports: XML, cells, dates, sheets")
struct XLSXReaderTests {
    func events(_ xml: String, capture: Bool = true) throws -> [XMLPullReader<MemorySource>.Event] {
        var reader = XMLPullReader(source: MemorySource(xml))
        reader.captureText = capture
        var out: [XMLPullReader<MemorySource>.Event] = []
        while let e = try reader.next() { out.append(e) }
        return out
    }

    @Test func xmlNamesLoseTheirPrefixAndEntitiesAreDecoded() throws {
        let got = try events(
            #"<?xml version="1.0"?><!-- c --><x:c r="A1" t='s'><x:v>a &amp; b &#x41;&#66;</x:v><e/></x:c>"#)
        guard case .start(let c) = got[0] else {
            Issue.record("no start: \(got)")
            return
        }
        #expect(c.name == "c")
        #expect(c.attribute("r") == "A1")
        #expect(c.attribute("t") == "s")
        #expect(got[2] == .text("a & b AB"))
        #expect(got[3] == .end("v"))
        guard case .start(let e) = got[4] else {
            Issue.record("no e")
            return
        }
        #expect(e.selfClosing)
        #expect(try events("<t><![CDATA[1 < 2]]></t>")[1] == .text("1 < 2"))
    }

    @Test func aDoctypeAndBrokenMarkupAreRefused() {
        #expect(throws: XMLPullReader<MemorySource>.Malformed.self) {
            _ = try events(#"<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>"#)
        }
        #expect(throws: XMLPullReader<MemorySource>.Malformed.self) { _ = try events("<v>&bogus;</v>") }
        #expect(throws: XMLPullReader<MemorySource>.Malformed.self) { _ = try events("<c r=\"A1") }
    }

    @Test func cellReferences() {
        #expect(CellReference("C12") == CellReference(column: 2, row: 12))
        #expect(CellReference("AB7")?.column == 27)
        #expect(CellReference("12") == nil)
        #expect(CellReference("A0") == nil)
        #expect(CellReference.letters(0) == "A")
        #expect(CellReference.letters(25) == "Z")
        #expect(CellReference.letters(26) == "AA")
        #expect(CellReference.letters(701) == "ZZ")
        #expect(CellReference(column: 702, row: 3).description == "AAA3")
    }

    @Test func excelSerialsAreLocalTimesRoundedToTheMillisecond() {
        #expect(ExcelDate.localTime(serial: "46296.541666666664", date1904: false) == "2026-10-01T13:00:00")
        #expect(ExcelDate.localTime(serial: "46296.54166956018", date1904: false) == "2026-10-01T13:00:00.250")
        #expect(ExcelDate.localTime(serial: "46296", date1904: false) == "2026-10-01T00:00:00")
        #expect(ExcelDate.localTime(serial: "44834", date1904: true) == "2026-10-01T00:00:00")
        #expect(ExcelDate.localTime(serial: "60", date1904: false) == nil)  // Lotus's 29 February 1900
        #expect(ExcelDate.localTime(serial: "-1", date1904: false) == nil)
        #expect(ExcelDate.localTime(serial: "x", date1904: false) == nil)
    }

    @Test func sharedStringsJoinRunsAndSkipPhoneticText() throws {
        let xml = """
            <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4">
            <si><t>meter_id</t></si>
            <si><r><rPr><b/></rPr><t>PV</t></r><r><t xml:space="preserve">-1 </t></r></si>
            <si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>
            <si><t>a_x000D_b</t></si>
            <si/>
            </sst>
            """
        #expect(try XLSXParts.sharedStrings(MemorySource(xml)) == ["meter_id", "PV-1 ", "東京", "a\rb", ""])
    }

    @Test func dateStylesFromBuiltInAndCustomFormats() throws {
        let xml = """
            <styleSheet><numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd hh:mm"/>
            <numFmt numFmtId="165" formatCode="0.000&quot; kWh&quot;"/><numFmt numFmtId="166" formatCode="[Red]0.00"/></numFmts>
            <cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>
            <cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="22"/><xf numFmtId="164"/><xf numFmtId="165"/>
            <xf numFmtId="166"/><xf numFmtId="2"/></cellXfs></styleSheet>
            """
        #expect(try XLSXParts.dateStyles(Array(xml.utf8)) == [1, 2])
    }

    @Test func workbookSheetsFollowTheirRelationships() throws {
        let workbook = """
            <workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
            <workbookPr date1904="1"/><sheets><sheet name="Notes" sheetId="1" r:id="rId2"/>
            <sheet name="Readings" sheetId="2" r:id="rId1"/></sheets></workbook>
            """
        let rels = """
            <Relationships><Relationship Id="rId1" Target="worksheets/sheet2.xml"/>
            <Relationship Id="rId2" Target="/xl/worksheets/sheet1.xml"/></Relationships>
            """
        let book = try XLSXParts.workbook(Array(workbook.utf8), relationships: Array(rels.utf8))
        #expect(book.date1904)
        #expect(book.sheets.map(\.name) == ["Notes", "Readings"])
        #expect(book.sheets.map(\.path) == ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"])
    }

    static let sheet = """
        <worksheet><sheetData>
        <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Timestamp</t></is></c>
          <c r="C1" t="str"><v>value</v></c><c r="D1" t="s"><v>1</v></c><c r="E1" t="s"><v>2</v></c></row>
        <row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" s="1"><v>46296.541666666664</v></c><c r="C2"><v>1000.25</v></c>
          <c r="D2" t="s"><v>4</v></c><c r="E2" t="b"><v>1</v></c></row>
        <row r="3"/>
        <row r="5"><c r="A5" t="s"><v>3</v></c><c r="B5" t="inlineStr"><is><t>2026-10-01T14:00:00</t></is></c>
          <c r="C5" t="s"><v>5</v></c><c r="D5" t="s"><v>4</v></c></row>
        <row r="6"><c r="A6" t="s"><v>3</v></c><c r="B6" s="1"><v>46296.625</v></c><c r="C6" t="e"><v>#N/A</v></c>
          <c r="D6" t="s"><v>4</v></c></row>
        <row r="7"><c r="A7" t="s"><v>3</v></c><c r="B7" s="1"><v>46296.66666666667</v></c><c r="C7"><v>1.5E3</v></c>
          <c r="D7" t="s"><v>4</v></c><c r="G7"><v>9</v></c></row>
        </sheetData></worksheet>
        """
    static let strings = ["meter_id", "UNIT", "note", "PV-1", "kWh", "1,5"]

    func decoder(dialect: CSVDialect = .standard) -> XLSXReportDecoder<MemorySource> {
        XLSXReportDecoder(
            sheet: MemorySource(Self.sheet), sheetName: "Readings", sharedStrings: Self.strings, dateStyles: [1],
            date1904: false, fileName: "book.xlsx", dialect: dialect)
    }

    @Test func rowsReadWithTheCSVHeaderRulesAndCellsNamed() throws {
        var d = decoder()
        guard case .reading(let first) = try d.next() else {
            Issue.record("no first reading")
            return
        }
        #expect(first.meterID == "PV-1")
        #expect(first.timestamp == "2026-10-01T13:00:00")
        #expect(first.value == "1000.25")
        #expect(first.unit == "kWh")
        #expect(first.extra == #"{"note":"TRUE"}"#)
        #expect(first.location == "book.xlsx:Readings!A2")
        guard case .reading(let comma) = try d.next() else {
            Issue.record("no second reading")
            return
        }
        #expect(comma.value == "1,5")  // refused by the validator, as in a CSV
        #expect(comma.location == "book.xlsx:Readings!A5")
        guard case .malformed(_, let error) = try d.next() else {
            Issue.record("error cell read")
            return
        }
        #expect(error == "Readings!C6 holds the spreadsheet error #N/A")
        guard case .malformed(_, let beyond) = try d.next() else {
            Issue.record("cell beyond read")
            return
        }
        #expect(beyond == "Readings!G7 lies beyond the header's 5 columns")
        #expect(try d.next() == nil)
    }

    @Test func aDecimalCommaFolderReadsTextValuesItsWay() throws {
        var d = decoder(dialect: CSVDialect(delimiter: ";", decimalComma: true))
        _ = try d.next()
        guard case .reading(let comma) = try d.next() else {
            Issue.record("no second reading")
            return
        }
        #expect(comma.value == "1.5")
    }

    @Test func aHeaderWithoutTheColumnsNamesItsRow() {
        var d = XLSXReportDecoder(
            sheet: MemorySource(
                #"<worksheet><sheetData><row r="3"><c t="inlineStr"><is><t>meter</t></is></c></row></sheetData></worksheet>"#
            ),
            sheetName: "S", sharedStrings: [], dateStyles: [], date1904: false, fileName: "b.xlsx")
        #expect(
            throws: ReportFailure(
                line: 3,
                message:
                    "S!A3: header lacks columns meter_id, timestamp, value, unit (needs meter_id,timestamp,value,unit)")
        ) {
            _ = try d.next()
        }
        var empty = XLSXReportDecoder(
            sheet: MemorySource("<worksheet><sheetData/></worksheet>"), sheetName: "S", sharedStrings: [],
            dateStyles: [], date1904: false, fileName: "b.xlsx")
        #expect(throws: ReportFailure(line: 1, message: "sheet S is empty: no header row")) { _ = try empty.next() }
    }

    @Test func spreadsheetFilesThatAreNotReadAreNamed() {
        let ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]
        #expect(ReportFormat.refusal(fileName: "export.bin", firstBytes: ole)?.contains(".xls") == true)
        var ods: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 26) + Array("mimetype".utf8)
        ods += Array("application/vnd.oasis.opendocument.spreadsheet".utf8)
        #expect(ReportFormat.refusal(fileName: "x.zip", firstBytes: ods)?.contains(".ods") == true)
        #expect(ReportFormat.refusal(fileName: "x.xlsx", firstBytes: [0x50, 0x4B, 0x03, 0x04]) == nil)
        #expect(ReportFormat.detect(fileName: "x.csv", firstBytes: [0x50, 0x4B, 0x03, 0x04]) == .xlsx)
    }

    @Test func aFolderNamesItsSheetAndExcelLockFilesAreNotReports() throws {
        let config = try Config.parse("[[watch]]\ndir = \"/srv/in\"\nsheet = \"Readings\"\n")
        #expect(config.watches.first?.sheet == "Readings")
        #expect(throws: (any Error).self) { _ = try Config.parse("[[watch]]\ndir = \"/srv/in\"\nsheet = \"\"\n") }
    }
}
