import Crypto
import JCMCore

/// SHA-256 as lowercase hex: the identity of a report's bytes and of a polled response.
struct SHA256Hasher {
    private var hash = SHA256()

    mutating func update(_ bytes: UnsafeRawBufferPointer) { hash.update(bufferPointer: bytes) }

    mutating func finalize() -> String { Self.hex(hash.finalize()) }

    static func hex(of bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    private static func hex(_ digest: SHA256.Digest) -> String { LedgerDigest.hex(Array(digest)) }
}
