/// One cell of a SpreadsheetML worksheet and the XML it becomes. Strings are written inline
/// (`t="inlineStr"`), not in a shared-string table, so a sheet can be written row by row
/// without holding anything for the rows before.
public enum XLSXCell: Sendable, Equatable {
    /// Data text: neutralised against formula injection (`SpreadsheetText`).
    case text(String)
    /// Longer data text, wrapped in its column; neutralised likewise.
    case paragraph(String)
    /// Our own words (titles, labels): written as they are.
    case label(String)
    /// A bold column header.
    case header(String)
    /// Shown with its own decimals (up to `XLSXStyle.maxDecimals`).
    case number(ExactDecimal)
    case integer(Int)
    case boolean(Bool)
    /// A date and time in UTC, as an Excel date serial with a date format.
    case time(Timestamp)
    /// A live formula (without the leading `=`) and the value it has now, which a reader shows
    /// before it recalculates; `decimals` is the number format's.
    case formula(String, cached: ExactDecimal, decimals: Int)
    case empty

    /// The cell's XML; `reference` is its A1 address or nil to let the position imply it.
    public func xml(_ reference: String? = nil) -> String {
        let r = reference.map { " r=\"\($0)\"" } ?? ""
        switch self {
        case .text(let s): return Self.inline(SpreadsheetText.neutralised(s), r, style: nil)
        case .paragraph(let s): return Self.inline(SpreadsheetText.neutralised(s), r, style: XLSXStyle.wrapped)
        case .label(let s): return Self.inline(s, r, style: nil)
        case .header(let s): return Self.inline(s, r, style: XLSXStyle.bold)
        case .number(let d):
            return "<c\(r) s=\"\(XLSXStyle.decimals(d.scale))\"><v>\(d.description)</v></c>"
        case .integer(let i): return "<c\(r) s=\"\(XLSXStyle.decimals(0))\"><v>\(i)</v></c>"
        case .boolean(let b): return "<c\(r) t=\"b\"><v>\(b ? 1 : 0)</v></c>"
        case .time(let t): return "<c\(r) s=\"\(XLSXStyle.dateTime)\"><v>\(Self.serial(t))</v></c>"
        case .formula(let f, let cached, let decimals):
            return
                "<c\(r) s=\"\(XLSXStyle.decimals(decimals))\"><f>\(Self.escaped(f))</f><v>\(cached.description)</v></c>"
        case .empty: return ""
        }
    }

    private static func inline(_ s: String, _ r: String, style: Int?) -> String {
        let st = style.map { " s=\"\($0)\"" } ?? ""
        return "<c\(r)\(st) t=\"inlineStr\"><is><t xml:space=\"preserve\">\(escaped(s))</t></is></c>"
    }

    /// A row's XML, cells in order from column A without addresses (the Dataset's millions of
    /// rows are a third smaller so); an empty cell is an empty `<c/>` that keeps the place.
    public static func row(_ cells: [XLSXCell]) -> String {
        var s = "<row>"
        for c in cells { s += c == .empty ? "<c/>" : c.xml() }
        return s + "</row>"
    }

    /// A row's XML at a known row number (1-based), each cell with its address.
    public static func row(_ number: Int, _ cells: [XLSXCell]) -> String {
        var s = "<row r=\"\(number)\">"
        for (i, c) in cells.enumerated() where c != .empty { s += c.xml(column(i) + "\(number)") }
        return s + "</row>"
    }

    /// "A", …, "Z", "AA", …: the letters of a 0-based column.
    public static func column(_ index: Int) -> String {
        var n = index + 1
        var s = ""
        while n > 0 {
            let r = (n - 1) % 26
            s = String(UnicodeScalar(UInt8(65 + r))) + s
            n = (n - 1) / 26
        }
        return s
    }

    /// Days since 1899-12-30 (Excel's day 0, which absorbs its 1900 leap-year bug for every date
    /// after February 1900), with the time of day as the fraction. A double, as Excel keeps it:
    /// finer than a millisecond for any date of the next centuries.
    public static func serial(_ t: Timestamp) -> String {
        let day: Int64 = 86_400_000_000
        let us = t.microseconds + 25_569 * day
        let days = us >= 0 ? us / day : (us - day + 1) / day
        let rest = us - days * day
        guard rest != 0 else { return "\(days)" }
        return "\(Double(days) + Double(rest) / Double(day))"
    }

    /// The instant of "YYYY-MM-DDTHH:MM:SS[.ffffff]Z", the UTC text the database writes; nil
    /// for anything else. A fast path for the Dataset's millions of times.
    public static func utcInstant(_ text: String) -> Timestamp? { utcInstant(utf8: text.utf8) }

    /// The same, from the text's UTF-8 bytes.
    public static func utcInstant(utf8 text: some Sequence<UInt8>) -> Timestamp? {
        var utf8 = text.makeIterator()
        func digits(_ n: Int) -> Int64? {
            var v: Int64 = 0
            for _ in 0..<n {
                guard let c = utf8.next(), c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            return v
        }
        func expect(_ c: UInt8) -> Bool { utf8.next() == c }
        guard let y = digits(4), expect(45), let mo = digits(2), expect(45), let d = digits(2), expect(84),
            let h = digits(2), expect(58), let mi = digits(2), expect(58), let s = digits(2),
            (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 60
        else { return nil }
        var micros: Int64 = 0
        var next = utf8.next()
        if next == 46 {
            var scale: Int64 = 100_000
            next = utf8.next()
            while let c = next, c >= 48, c <= 57 {
                micros += Int64(c - 48) * scale
                scale /= 10
                next = utf8.next()
            }
        }
        guard next == 90, utf8.next() == nil else { return nil }
        // Days from 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Timestamp(microseconds: ((days * 24 + h) * 60 + mi) * 60_000_000 + s * 1_000_000 + micros)
    }

    /// Text for XML character data and attributes; characters XML 1.0 cannot carry become U+FFFD.
    public static func escaped(_ s: String) -> String {
        // On the UTF-8 bytes: every character looked for is ASCII, and no byte of a longer
        // character is below 0x80. A scan of the scalars cost 7% of a workbook's CPU.
        guard s.utf8.contains(where: { $0 < 0x20 || $0 == 0x3C || $0 == 0x3E || $0 == 0x26 || $0 == 0x22 }) else {
            return s
        }
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count + 16)
        for u in s.unicodeScalars {
            switch u {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default: if u.value < 0x20 { out += "\u{FFFD}" } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }
}

/// The cell formats styles.xml declares, by index (`XLSXPackage.styles`).
public enum XLSXStyle {
    public static let bold = 1
    public static let dateTime = 2
    public static let wrapped = 3
    /// Numbers show up to this many decimals; the stored value keeps all of them.
    public static let maxDecimals = 9
    static let firstDecimal = 4

    public static func decimals(_ scale: Int) -> Int { firstDecimal + min(max(scale, 0), maxDecimals) }
}
