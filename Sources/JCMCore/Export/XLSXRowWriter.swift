/// A worksheet's rows as XML bytes, for the Dataset's millions of rows: the same cells as
/// `XLSXCell.row(_:)` (no addresses, an empty `<c/>` keeping the place), written straight into a
/// byte buffer, with repeated text as indices into `strings`. The caller drains `bytes` as it
/// grows and writes `strings.xml` as the workbook's shared-string part.
public struct XLSXRowWriter {
    public var bytes: [UInt8] = []
    public private(set) var strings = XLSXSharedStrings()
    public private(set) var rows = 0
    /// How each column's text becomes a cell.
    private let kinds: [Kind]
    /// The last time written and its serial: a row's start is the row before's end.
    private var lastTime: (Timestamp, String)?

    public init(kinds: [Kind]) {
        self.kinds = kinds
        bytes.reserveCapacity(1 << 21)
    }

    public mutating func append(_ row: [FieldValue]) {
        put("<row>")
        for (i, v) in row.enumerated() {
            switch v {
            case .text(let s):
                if i < kinds.count, kinds[i] == .time, let t = XLSXCell.utcInstant(s) {
                    time(t)
                } else {
                    text(SpreadsheetText.neutralised(s), column: i)
                }
            case .decimal(let d): number(d)
            case .integer(let n): number(n)
            case .boolean(let b): boolean(b)
            case .time(let t): time(t)
            case .null: put("<c/>")
            }
        }
        put("</row>")
        rows += 1
    }

    /// How a column's text becomes a cell, as the report types its dataset's columns. Typed
    /// values (`append(_:)`) follow only `time`; COPY text (`append(utf8:fields:)`) all.
    public enum Kind: Sendable, Equatable {
        case text
        /// A UTC time ("…Z") becomes a date; other text stays text.
        case time
        /// A whole number (`Int`'s own syntax), else text.
        case integer
        /// An exact decimal (`ExactDecimal`'s syntax), else text.
        case decimal
        /// PostgreSQL's "t" or anything else (false).
        case boolean
    }

    /// A row as PostgreSQL's COPY hands it over: `utf8` holds the fields' text, `fields` each
    /// one's bounds in it (end -1: NULL). The cells are those `append(_:)` writes for the
    /// `FieldValue`s the report makes of these texts by `kinds`, without a String or a FieldValue per cell
    /// (the Dataset's 72 million cells a month of 1,000 meters).
    public mutating func append(utf8: UnsafeBufferPointer<UInt8>, fields: [(start: Int, end: Int)]) {
        put("<row>")
        for (i, f) in fields.enumerated() {
            guard f.end >= 0 else {
                put("<c/>")
                continue
            }
            let field = UnsafeBufferPointer(rebasing: utf8[f.start..<f.end])
            switch i < kinds.count ? kinds[i] : .text {
            case .boolean:
                boolean(field.count == 1 && field[0] == UInt8(ascii: "t"))
                continue
            case .integer:
                if let n = Self.integer(field) {
                    number(n)
                    continue
                }
            case .decimal:
                if let d = ExactDecimal(utf8: field) {
                    number(d)
                    continue
                }
            case .time:
                if let t = XLSXCell.utcInstant(utf8: field) {
                    time(t)
                    continue
                }
            case .text: break
            }
            if let k = strings.index(ofUTF8: field, column: i) {
                shared(k)
            } else {
                inline(SpreadsheetText.neutralised(String(decoding: field, as: UTF8.self)))
            }
        }
        put("</row>")
        rows += 1
    }

    /// `Int(text)` on bytes: an optional sign, then digits, within Int's range.
    static func integer(_ field: UnsafeBufferPointer<UInt8>) -> Int? {
        var digits = field[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        var n = 0
        for b in digits {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            let (times, o1) = n.multipliedReportingOverflow(by: 10)
            let (next, o2) =
                negative ? times.subtractingReportingOverflow(Int(b - 48)) : times.addingReportingOverflow(Int(b - 48))
            guard !o1, !o2 else { return nil }
            n = next
        }
        return n
    }

    private mutating func number(_ d: ExactDecimal) {
        put("<c s=\"")
        integer(XLSXStyle.decimals(d.scale))
        put("\"><v>")
        decimal(d)
        put("</v></c>")
    }

    private mutating func number(_ n: Int) {
        put("<c s=\"")
        integer(XLSXStyle.decimals(0))
        put("\"><v>")
        integer(n)
        put("</v></c>")
    }

    private mutating func boolean(_ b: Bool) { put(b ? "<c t=\"b\"><v>1</v></c>" : "<c t=\"b\"><v>0</v></c>") }

    private mutating func text(_ s: String, column: Int) {
        if let k = strings.index(of: s, column: column) { shared(k) } else { inline(s) }
    }

    private mutating func shared(_ k: Int) {
        put("<c t=\"s\"><v>")
        integer(k)
        put("</v></c>")
    }

    private mutating func inline(_ s: String) {
        let escaped = XLSXCell.escaped(s)
        put(
            XLSXSharedStrings.needsPreserve(escaped)
                ? "<c t=\"inlineStr\"><is><t xml:space=\"preserve\">" : "<c t=\"inlineStr\"><is><t>")
        bytes.append(contentsOf: escaped.utf8)
        put("</t></is></c>")
    }

    private mutating func time(_ t: Timestamp) {
        put("<c s=\"")
        integer(XLSXStyle.dateTime)
        put("\"><v>")
        let serial: String
        if let last = lastTime, last.0 == t {
            serial = last.1
        } else {
            serial = XLSXCell.serial(t)
            lastTime = (t, serial)
        }
        bytes.append(contentsOf: serial.utf8)
        put("</v></c>")
    }

    private mutating func put(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    private mutating func integer(_ n: Int) {
        if n < 0 { bytes.append(UInt8(ascii: "-")) }
        digits(UInt128(n.magnitude), scale: 0)
    }

    /// As `ExactDecimal.description` writes it: "-0.000501", "12.50".
    private mutating func decimal(_ d: ExactDecimal) {
        if d.significand < 0 { bytes.append(UInt8(ascii: "-")) }
        digits(d.significand.magnitude, scale: d.scale)
    }

    /// The digits of `magnitude` with a point `scale` digits from the right, and a leading "0."
    /// and zeros when it has fewer digits than that.
    private mutating func digits(_ magnitude: UInt128, scale: Int) {
        var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &buffer) { raw in
            var end = raw.count
            // 64-bit division where the value fits: readings do, and it is several times faster.
            func write<T: BinaryInteger>(_ value: T) {
                var m = value
                repeat {
                    end -= 1
                    raw[end] = UInt8(ascii: "0") + UInt8(m % 10)
                    m /= 10
                } while m != 0
            }
            if let small = UInt64(exactly: magnitude) { write(small) } else { write(magnitude) }
            let count = raw.count - end
            if scale > 0 {
                let zeros = max(scale - count, 0)
                if count <= scale {
                    bytes.append(UInt8(ascii: "0"))
                    bytes.append(UInt8(ascii: "."))
                    bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: zeros))
                    bytes.append(contentsOf: raw[end...])
                } else {
                    let point = raw.count - scale
                    bytes.append(contentsOf: raw[end..<point])
                    bytes.append(UInt8(ascii: "."))
                    bytes.append(contentsOf: raw[point...])
                }
            } else {
                bytes.append(contentsOf: raw[end...])
            }
        }
    }
}
