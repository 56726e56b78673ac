import Crypto

/// The digests the ledger is built from (SHA-256 throughout).
public enum LedgerDigest {
    /// Bytes of a record's digest kept in its link: 128 bits, a second preimage out of reach,
    /// at half the space a full digest would take per reading.
    public static let recordBytes = 16
    /// A record written in the chunk but not stored (a duplicate of a stored reading): its slot
    /// in the link is all zeros, and no row may hold its number.
    public static let absent = [UInt8](repeating: 0, count: recordBytes)

    public static func record(_ r: CanonicalRecord) -> [UInt8] {
        Array(SHA256.hash(data: r.bytes).prefix(recordBytes))
    }

    /// Appends a record's digest to a link's list without an array of its own.
    public static func appendRecord(_ r: CanonicalRecord, to list: inout [UInt8]) {
        SHA256.hash(data: r.bytes).withUnsafeBytes { list.append(contentsOf: $0.prefix(recordBytes)) }
    }

    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    /// Written straight into the string's storage: several digests a poll are spelled out, and
    /// an intermediate array was two allocations more each.
    public static func hex(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (i, b) in bytes.enumerated() {
                out[2 * i] = hexDigit(b >> 4)
                out[2 * i + 1] = hexDigit(b & 0xF)
            }
            return bytes.count * 2
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }

    public static func bytes(hex: String) -> [UInt8]? {
        var s = Substring(hex)
        if s.hasPrefix("\\x") { s = s.dropFirst(2) }  // bytea's text form
        let utf8 = Array(s.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let h = nibble(utf8[i]), let l = nibble(utf8[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }
}
