/// The framing of one spool record: magic, payload length, CRC-32C of the payload, payload
/// (integers little-endian). A record is trusted only when all of it is there and its checksum
/// matches; anything else ends the readable part of its segment.
public enum SpoolFrame {
    public static let magic: [UInt8] = Array("JCM1".utf8)
    public static let headerSize = 12
    /// A larger length can only be damage: payloads are responses capped far below this.
    public static let maxPayload = 1 << 30

    public static func encode(_ payload: [UInt8], into out: inout [UInt8]) {
        out.append(contentsOf: magic)
        appendLE(UInt32(payload.count), to: &out)
        appendLE(CRC32C.checksum(payload), to: &out)
        out.append(contentsOf: payload)
    }

    public enum Decoded: Equatable {
        /// A whole record: its payload and where the next one starts.
        case record(payload: Range<Int>, next: Int)
        /// The bytes end inside this record (a write cut short, or not yet read).
        case incomplete
        /// Wrong magic, impossible length or checksum mismatch.
        case damaged(String)
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Decoded {
        guard bytes.count - offset >= headerSize else { return .incomplete }
        guard magic.indices.allSatisfy({ bytes[offset + $0] == magic[$0] }) else {
            return .damaged("bad record marker")
        }
        let length = Int(readLE(bytes, offset + 4))
        guard length <= maxPayload else { return .damaged("impossible record length \(length)") }
        let start = offset + headerSize
        guard bytes.count - start >= length else { return .incomplete }
        let stored = readLE(bytes, offset + 8)
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[start..<start + length])) == stored else {
            return .damaged("checksum mismatch")
        }
        return .record(payload: start..<start + length, next: start + length)
    }

    static func appendLE(_ v: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    public static func readLE(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}

/// Length-prefixed fields, for spool payloads.
public struct SpoolFieldWriter {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public mutating func int64(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func data(_ d: [UInt8]) {
        int64(Int64(d.count))
        bytes.append(contentsOf: d)
    }
    public mutating func string(_ s: String) { data(Array(s.utf8)) }
}

public struct SpoolFieldReader {
    private let bytes: [UInt8]
    private var at = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public mutating func int64() -> Int64? {
        guard bytes.count - at >= 8 else { return nil }
        var v: Int64 = 0
        for i in 0..<8 { v |= Int64(bytes[at + i]) << (8 * i) }
        at += 8
        return v
    }

    public mutating func data() -> [UInt8]? {
        guard let n = int64(), n >= 0, bytes.count - at >= Int(n) else { return nil }
        defer { at += Int(n) }
        return Array(bytes[at..<at + Int(n)])
    }

    public mutating func string() -> String? { data().map { String(decoding: $0, as: UTF8.self) } }

    public var isAtEnd: Bool { at == bytes.count }
}
