/// A worksheet's rows as XML bytes, for the Dataset's millions of rows: the same cells as
/// `XLSXCell.row(_:)` (no addresses, an empty `<c/>` keeping the place), written straight into a
/// byte buffer, with repeated text as indices into `strings`. The caller drains `bytes` as it
/// grows and writes `strings.xml` as the workbook's shared-string part.
public struct XLSXRowWriter {
    public var bytes: [UInt8] = []
    public private(set) var strings = XLSXSharedStrings()
    public private(set) var rows = 0
    /// Columns whose text is a UTC time ("…Z"), written as a date when it parses.
    private let isTime: [Bool]
    /// The last time written and its serial: a row's start is the row before's end.
    private var lastTime: (Timestamp, String)?

    public init(timeColumns: [Bool]) {
        isTime = timeColumns
        bytes.reserveCapacity(1 << 21)
    }

    public mutating func append(_ row: [FieldValue]) {
        put("<row>")
        for (i, v) in row.enumerated() {
            switch v {
            case .text(let s):
                if i < isTime.count, isTime[i], let t = XLSXCell.utcInstant(s) {
                    time(t)
                } else {
                    text(SpreadsheetText.neutralised(s), column: i)
                }
            case .decimal(let d):
                put("<c s=\"")
                integer(XLSXStyle.decimals(d.scale))
                put("\"><v>")
                decimal(d)
                put("</v></c>")
            case .integer(let n):
                put("<c s=\"")
                integer(XLSXStyle.decimals(0))
                put("\"><v>")
                integer(n)
                put("</v></c>")
            case .boolean(let b): put(b ? "<c t=\"b\"><v>1</v></c>" : "<c t=\"b\"><v>0</v></c>")
            case .time(let t): time(t)
            case .null: put("<c/>")
            }
        }
        put("</row>")
        rows += 1
    }

    private mutating func text(_ s: String, column: Int) {
        if let k = strings.index(of: s, column: column) {
            put("<c t=\"s\"><v>")
            integer(k)
            put("</v></c>")
            return
        }
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
