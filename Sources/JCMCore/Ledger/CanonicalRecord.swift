/// The bytes a record is hashed as. Each field is its UTF-8 length in decimal, `:`, then the
/// field; SQL NULL is `-`. Lengths make the encoding unambiguous whatever the fields hold, and
/// the same text is easy to build in SQL (docs/verification.md), so a verifier can recompute
/// every digest with psql alone.
///
/// Every field is the text PostgreSQL itself prints for the stored value (`value::text`,
/// `reasons::text`, `extra::text`); instants are microseconds since 1970 as an integer, so
/// neither TimeZone nor DateStyle changes a digest.
public struct CanonicalRecord {
    public private(set) var bytes: [UInt8] = []

    public init(tag: String) {
        bytes.reserveCapacity(160)
        field(tag)
    }

    /// Starts another record in the same buffer: the writer's hot path reuses one.
    public mutating func reset(tag: String) {
        bytes.removeAll(keepingCapacity: true)
        field(tag)
    }

    /// A decimal as numeric_out prints it (ExactDecimal.description), written in place.
    public mutating func field(_ d: ExactDecimal) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buf in
            var n = 0
            var m = d.significand.magnitude
            func put(_ b: UInt8) {
                buf[47 - n] = b
                n += 1
            }
            if d.scale > 0 {
                for _ in 0..<d.scale {
                    put(UInt8(ascii: "0") + UInt8(m % 10))
                    m /= 10
                }
                put(UInt8(ascii: "."))
            }
            repeat {
                put(UInt8(ascii: "0") + UInt8(m % 10))
                m /= 10
            } while m > 0
            if d.significand < 0 { put(UInt8(ascii: "-")) }
            field(utf8: UnsafeBufferPointer(rebasing: buf[(48 - n)...]))
        }
    }

    public mutating func field(_ s: String?) {
        guard var s else { return bytes.append(UInt8(ascii: "-")) }
        s.withUTF8 { utf8 in
            appendDecimal(utf8.count)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: utf8)
        }
    }

    /// A field given as its UTF-8 bytes (nil: NULL), as read from a COPY stream.
    public mutating func field(utf8: UnsafeBufferPointer<UInt8>?) {
        guard let utf8 else { return bytes.append(UInt8(ascii: "-")) }
        appendDecimal(utf8.count)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(contentsOf: utf8)
    }

    public mutating func field(_ n: Int64?) {
        guard let n else { return bytes.append(UInt8(ascii: "-")) }
        // Written in place: a String per number costs more than the hash on this path.
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var m = n.magnitude
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - count] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
                count += 1
            } while m > 0
            if n < 0 {
                d[19 - count] = UInt8(ascii: "-")
                count += 1
            }
            appendDecimal(count)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: d[(20 - count)...])
        }
    }

    public mutating func field(_ n: Int?) { field(n.map(Int64.init)) }

    private mutating func appendDecimal(_ n: Int) {
        if n >= 10 { appendDecimal(n / 10) }
        bytes.append(UInt8(ascii: "0") + UInt8(n % 10))
    }
}

extension CanonicalRecord {
    // A row of jcm.readings or jcm.rejections: `resetReading` / `resetRejection` (CanonicalRecord+Reading.swift),
    // for writer and verifier alike.

    /// A row of jcm.rejections (its id and rejected_at are the server's and not covered): the
    /// writer's side of `resetRejection`.
    public static func rejection(
        batch: Int64, seq: Int, meterID: String?, location: String, reason: String, detail: String,
        raw: String, microseconds: Int64?
    ) -> CanonicalRecord {
        var r = CanonicalRecord(tag: "rejection")
        r.resetRejection(batch: batch, seq: seq) { f, r in
            switch f {
            case .meterID: r.field(meterID)
            case .location: r.field(location)
            case .reason: r.field(reason)
            case .detail: r.field(detail)
            case .raw: r.field(raw)
            case .microseconds: r.field(microseconds)
            }
        }
        return r
    }

    /// A row of jcm.batches (created_at is the server's and not covered).
    public static func batch(
        id: Int64, kind: String, source: String, url: String?, httpStatus: Int?, fileName: String?, sha256: String,
        bytes: Int, receivedMicroseconds: Int64, spoolRecord: String?, planVersion: Int?
    ) -> CanonicalRecord {
        var r = CanonicalRecord(tag: "batch")
        r.field(id)
        r.field(kind)
        r.field(source)
        r.field(url)
        r.field(httpStatus)
        r.field(fileName)
        r.field(sha256)
        r.field(bytes)
        r.field(receivedMicroseconds)
        r.field(spoolRecord)
        r.field(planVersion)
        return r
    }
}
