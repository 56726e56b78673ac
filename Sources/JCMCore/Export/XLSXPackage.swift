/// The fixed parts of an .xlsx (Office Open XML SpreadsheetML, ECMA-376) around its worksheets:
/// content types, relationships, the workbook, the styles, an Excel table. Pure text; the
/// command writes them into the zip.
public enum XLSXPackage {
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let officeRels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let packageRels = "http://schemas.openxmlformats.org/package/2006/relationships"
    static let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

    /// A sheet of the workbook: its tab name, its part in the zip, and the Excel table it
    /// carries, if any.
    public struct Sheet: Sendable {
        public var name: String
        public var path: String
        public var table: Table?
        public init(name: String, path: String, table: Table? = nil) {
            self.name = name
            self.path = path
            self.table = table
        }
    }

    /// Every part but the worksheets, by path in the zip; `sharedStrings`: the table's XML, when
    /// a sheet refers to one.
    public static func parts(_ sheets: [Sheet], sharedStrings: String? = nil) -> [(path: String, xml: String)] {
        var out: [(String, String)] = []
        let tables = sheets.filter { $0.table != nil }
        var types =
            declaration + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
            + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
        if sharedStrings != nil {
            types +=
                "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
        }
        for s in sheets {
            types +=
                "<Override PartName=\"/\(s.path)\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        }
        for i in tables.indices {
            types +=
                "<Override PartName=\"/xl/tables/table\(i + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml\"/>"
        }
        out.append(("[Content_Types].xml", types + "</Types>"))
        out.append(
            (
                "_rels/.rels",
                declaration + "<Relationships xmlns=\"\(packageRels)\">"
                    + "<Relationship Id=\"rId1\" Type=\"\(officeRels)/officeDocument\" Target=\"xl/workbook.xml\"/>"
                    + "</Relationships>"
            ))
        var workbook =
            declaration
            + "<workbook xmlns=\"\(main)\" xmlns:r=\"\(officeRels)\"><bookViews><workbookView/></bookViews><sheets>"
        var rels = declaration + "<Relationships xmlns=\"\(packageRels)\">"
        for (i, s) in sheets.enumerated() {
            workbook += "<sheet name=\"\(XLSXCell.escaped(s.name))\" sheetId=\"\(i + 1)\" r:id=\"rId\(i + 1)\"/>"
            rels +=
                "<Relationship Id=\"rId\(i + 1)\" Type=\"\(officeRels)/worksheet\" Target=\"\(s.path.dropFirst(3))\"/>"
        }
        // Excel recalculates on opening; the cached values are what `report` computed.
        workbook += "</sheets><calcPr calcId=\"191029\" fullCalcOnLoad=\"1\"/></workbook>"
        rels += "<Relationship Id=\"rId\(sheets.count + 1)\" Type=\"\(officeRels)/styles\" Target=\"styles.xml\"/>"
        if let sharedStrings {
            rels +=
                "<Relationship Id=\"rId\(sheets.count + 2)\" Type=\"\(officeRels)/sharedStrings\" Target=\"sharedStrings.xml\"/>"
            out.append(("xl/sharedStrings.xml", sharedStrings))
        }
        rels += "</Relationships>"
        out.append(("xl/workbook.xml", workbook))
        out.append(("xl/_rels/workbook.xml.rels", rels))
        out.append(("xl/styles.xml", styles))
        for (i, s) in tables.enumerated() {
            // A part's relationships live beside it: xl/worksheets/_rels/<name>.rels.
            let folder = s.path.split(separator: "/").dropLast().joined(separator: "/")
            let file = s.path.split(separator: "/").last!
            out.append(
                (
                    "\(folder)/_rels/\(file).rels",
                    declaration + "<Relationships xmlns=\"\(packageRels)\">"
                        + "<Relationship Id=\"rId1\" Type=\"\(officeRels)/table\" Target=\"../tables/table\(i + 1).xml\"/>"
                        + "</Relationships>"
                ))
            out.append(("xl/tables/table\(i + 1).xml", s.table!.xml(id: i + 1)))
        }
        return out
    }

    /// Fonts: regular, bold. Formats: the numbers with 0…9 decimals, a date-time.
    static var styles: String {
        let decimals = (0...XLSXStyle.maxDecimals).map { d in
            "<numFmt numFmtId=\"\(164 + d)\" formatCode=\"#,##0\(d == 0 ? "" : "." + String(repeating: "0", count: d))\"/>"
        }
        let dateFormat = 164 + XLSXStyle.maxDecimals + 1
        let xfs =
            [
                "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>",
                "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>",
                "<xf numFmtId=\"\(dateFormat)\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>",
                "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyAlignment=\"1\"><alignment vertical=\"top\" wrapText=\"1\"/></xf>",
            ]
            + (0...XLSXStyle.maxDecimals).map {
                "<xf numFmtId=\"\(164 + $0)\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
            }
        return declaration + "<styleSheet xmlns=\"\(main)\">"
            + "<numFmts count=\"\(decimals.count + 1)\">" + decimals.joined()
            + "<numFmt numFmtId=\"\(dateFormat)\" formatCode=\"yyyy\\-mm\\-dd hh:mm:ss\"/></numFmts>"
            + "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font>"
            + "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
            + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
            + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
            + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
            + "<cellXfs count=\"\(xfs.count)\">" + xfs.joined() + "</cellXfs>"
            + "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
            + "</styleSheet>"
    }

    /// An Excel table over a sheet's range: header row, filter buttons, banded rows.
    public struct Table: Sendable {
        public var name: String
        public var columns: [String]
        /// Data rows under the header; a table keeps at least one (empty) row.
        public var rows: Int

        public init(name: String, columns: [String], rows: Int) {
            self.name = name
            self.columns = columns
            self.rows = rows
        }

        public var reference: String { "A1:\(XLSXCell.column(columns.count - 1))\(max(rows, 1) + 1)" }

        func xml(id: Int) -> String {
            declaration
                + "<table xmlns=\"\(main)\" id=\"\(id)\" name=\"\(name)\" displayName=\"\(name)\" ref=\"\(reference)\" totalsRowShown=\"0\">"
                + "<autoFilter ref=\"\(reference)\"/><tableColumns count=\"\(columns.count)\">"
                + columns.enumerated().map {
                    "<tableColumn id=\"\($0.offset + 1)\" name=\"\(XLSXCell.escaped($0.element))\"/>"
                }
                .joined()
                + "</tableColumns><tableStyleInfo name=\"TableStyleLight9\" showFirstColumn=\"0\" showLastColumn=\"0\" showRowStripes=\"1\" showColumnStripes=\"0\"/></table>"
        }
    }

    /// A worksheet's XML up to its first row: column widths, and the rows above `frozenRows`
    /// kept in view.
    public static func sheetHead(widths: [Double], frozenRows: Int = 0) -> String {
        var s = declaration + "<worksheet xmlns=\"\(main)\" xmlns:r=\"\(officeRels)\">"
        if frozenRows > 0 {
            s +=
                "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"\(frozenRows)\" topLeftCell=\"A\(frozenRows + 1)\" activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>"
        }
        if !widths.isEmpty {
            s += "<cols>"
            for (i, w) in widths.enumerated() {
                s += "<col min=\"\(i + 1)\" max=\"\(i + 1)\" width=\"\(w)\" customWidth=\"1\"/>"
            }
            s += "</cols>"
        }
        return s + "<sheetData>"
    }

    /// The rest after the last row; `table`: the sheet carries an Excel table (relationship rId1).
    public static func sheetTail(table: Bool) -> String {
        "</sheetData>" + (table ? "<tableParts count=\"1\"><tablePart r:id=\"rId1\"/></tableParts>" : "")
            + "</worksheet>"
    }

    /// A whole small sheet: rows numbered from 1.
    public static func sheet(widths: [Double], frozenRows: Int = 0, rows: [[XLSXCell]]) -> String {
        sheetHead(widths: widths, frozenRows: frozenRows)
            + rows.enumerated().map { XLSXCell.row($0.offset + 1, $0.element) }.joined() + sheetTail(table: false)
    }
}
