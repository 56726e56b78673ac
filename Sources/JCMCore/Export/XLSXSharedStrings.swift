/// The workbook's shared-string table (`xl/sharedStrings.xml`) for a sheet of millions of rows.
///
/// A Dataset row repeats most of its text: the meter's id, its unit, the batch's SHA-256, the
/// ledger link and its chain hash. Written inline, the hashes alone are 250 bytes a row; as an
/// index into this table, 25. A column whose values rarely repeat (a raw reading) would only fill
/// the table, so a column that has added a new string for more than one row in eight of its
/// first `trial` cells writes inline from then on. The table is capped besides, so memory stays
/// bounded whatever the rows hold.
public struct XLSXSharedStrings {
    /// Each string as it goes into the part: neutralised and escaped.
    public private(set) var entries: [String] = []
    private var index: [String: Int] = [:]
    private var bytes = 0
    /// Cells that refer to the table (the part's `count`).
    private var references = 0
    private var columns: [Column] = []

    static let trial = 4096
    static let maxEntries = 1 << 20
    static let maxBytes = 64 << 20

    private struct Column {
        var cells = 0
        var added = 0
        var inline = false
        /// The column's value in the row before and its index: consecutive rows of one meter
        /// usually repeat it, and a comparison is cheaper than a hash.
        var last: (text: String, index: Int)?
        /// `last`'s text as the bytes it came from, when it came through `index(ofUTF8:column:)`.
        var lastBytes: [UInt8]?
    }

    public init() {}

    /// The index of `text` (already neutralised) in column `column`, or nil to write it inline.
    public mutating func index(of text: String, column: Int) -> Int? {
        if column >= columns.count { columns += Array(repeating: Column(), count: column + 1 - columns.count) }
        if let last = columns[column].last, last.text == text {
            references += 1
            return last.index
        }
        guard !columns[column].inline else { return nil }
        columns[column].cells += 1
        let i: Int
        if let found = index[text] {
            i = found
        } else {
            guard entries.count < Self.maxEntries, bytes + text.utf8.count <= Self.maxBytes else { return nil }
            columns[column].added += 1
            let c = columns[column]
            if c.cells <= Self.trial, c.added * 8 > Self.trial {
                columns[column].inline = true
                return nil
            }
            i = entries.count
            index[text] = i
            entries.append(XLSXCell.escaped(text))
            bytes += text.utf8.count
        }
        columns[column].last = (text, i)
        columns[column].lastBytes = nil
        references += 1
        return i
    }

    /// As `index(of:column:)` for the text of these bytes, neutralised (`SpreadsheetText`); a
    /// value repeated from the row before makes no String.
    public mutating func index(ofUTF8 bytes: UnsafeBufferPointer<UInt8>, column: Int) -> Int? {
        if column < columns.count, let last = columns[column].last, let lastBytes = columns[column].lastBytes,
            lastBytes.elementsEqual(bytes)
        {
            references += 1
            return last.index
        }
        let text = SpreadsheetText.neutralised(String(decoding: bytes, as: UTF8.self))
        guard let i = index(of: text, column: column) else { return nil }
        columns[column].lastBytes = Array(bytes)
        return i
    }

    /// The part's XML.
    public var xml: String {
        var s =
            XLSXPackage.declaration
            + "<sst xmlns=\"\(XLSXPackage.main)\" count=\"\(references)\" uniqueCount=\"\(entries.count)\">"
        for e in entries {
            s += Self.needsPreserve(e) ? "<si><t xml:space=\"preserve\">\(e)</t></si>" : "<si><t>\(e)</t></si>"
        }
        return s + "</sst>"
    }

    /// Leading or trailing white space, or a line break or tab, is kept only when the element
    /// says so; other text needs no attribute (12 bytes saved on each of millions of cells).
    static func needsPreserve(_ s: String) -> Bool {
        guard let first = s.utf8.first, let last = s.utf8.last else { return false }
        return first == 0x20 || last == 0x20 || s.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D })
    }
}
