import JCMCore

/// Encodes rows in PostgreSQL's binary COPY format. Binary spares the server from parsing
/// timestamps and numerics from text, which is most of its per-row work on the readings table.
public struct BinaryCopyEncoder {
    public private(set) var bytes: [UInt8] = []

    public static let header: [UInt8] =
        Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
    public static let trailer: [UInt8] = [0xFF, 0xFF]

    /// Microseconds between the Unix epoch and PostgreSQL's (2000-01-01).
    static let postgresEpochOffset: Int64 = 946_684_800_000_000

    public init(reserving capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    public mutating func beginRow(fields: Int16) { append16(fields) }

    public mutating func null() { append32(-1) }

    public mutating func int32(_ v: Int32) {
        append32(4)
        append32(v)
    }

    public mutating func int64(_ v: Int64) {
        append32(8)
        append64(v)
    }

    public mutating func text(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            append32(Int32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func bytea(_ b: [UInt8]) {
        append32(Int32(b.count))
        bytes.append(contentsOf: b)
    }

    public mutating func optionalText(_ s: String?) {
        if let s { text(s) } else { null() }
    }

    public mutating func timestamptz(_ t: Timestamp) {
        int64(t.microseconds - Self.postgresEpochOffset)
    }

    /// jsonb's binary form is a version byte (1) then the JSON text.
    public mutating func jsonb(_ s: String?) {
        guard var s else { return null() }
        s.withUTF8 { utf8 in
            append32(Int32(utf8.count + 1))
            bytes.append(1)
            bytes.append(contentsOf: utf8)
        }
    }

    /// A one-dimensional text[]; nil or empty is NULL.
    public mutating func textArray(_ items: [String]) {
        guard !items.isEmpty else { return null() }
        var body: [UInt8] = []
        func put32(_ v: Int32) { withUnsafeBytes(of: v.bigEndian) { body.append(contentsOf: $0) } }
        put32(1)  // dimensions
        put32(0)  // has nulls
        put32(25)  // element type: text
        put32(Int32(items.count))
        put32(1)  // lower bound
        for item in items {
            put32(Int32(item.utf8.count))
            body.append(contentsOf: item.utf8)
        }
        append32(Int32(body.count))
        bytes.append(contentsOf: body)
    }

    /// numeric: ndigits, weight, sign, dscale, then base-10000 digits, most significant first.
    public mutating func numeric(_ d: ExactDecimal) {
        // Group the digits in fours from the point: the lowest group holds the last
        // (scale mod 4) fraction digits, shifted up to a whole group. Dividing instead of
        // multiplying keeps 38-digit values from overflowing.
        let pad = (4 - d.scale % 4) % 4
        var magnitude = d.significand.magnitude
        let fractionGroups = (d.scale + pad) / 4
        var groups: [Int16] = []  // least significant first
        if pad > 0 {
            let tail: UInt128 = [1, 1_000, 100, 10][pad]
            groups.append(Int16(magnitude % tail) * Int16([1, 10, 100, 1_000][pad]))
            magnitude /= tail
        }
        while magnitude > 0 {
            groups.append(Int16(magnitude % 10_000))
            magnitude /= 10_000
        }
        // Digits below the point that are all zeros need not be sent; dscale keeps the scale.
        var low = 0
        while low < groups.count, groups[low] == 0 { low += 1 }
        let kept = groups.count > low ? groups[low...] : []
        let weight = kept.isEmpty ? 0 : Int16(groups.count - fractionGroups - 1)
        append32(Int32(8 + 2 * kept.count))
        append16(Int16(kept.count))
        append16(weight)
        append16(d.significand < 0 && !kept.isEmpty ? 0x4000 : 0)
        append16(Int16(d.scale))
        for g in kept.reversed() { append16(g) }
    }

    private mutating func append16(_ v: Int16) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    private mutating func append32(_ v: Int32) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    private mutating func append64(_ v: Int64) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
}

extension Connection {
    /// One binary COPY of rows encoded whole: header, rows, trailer. Returns the rows copied.
    @discardableResult
    func copyIn(_ sql: String, rows: [UInt8]) throws -> Int {
        try beginCopy(sql)
        try putCopyData(BinaryCopyEncoder.header)
        try putCopyData(rows)
        try putCopyData(BinaryCopyEncoder.trailer)
        return try endCopy()
    }
}
