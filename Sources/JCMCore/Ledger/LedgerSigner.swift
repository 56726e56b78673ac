import Crypto

/// The daemon's Ed25519 key. It signs chain hashes; its public key is recorded in
/// jcm.signing_keys and printed by `jcm-ingestd key`, for verifiers to pin.
///
/// It keeps the key's bytes rather than swift-crypto's key value, which is not `Sendable`; the
/// key is made again for each signature (a few per transaction, one per chain head).
public struct LedgerSigner: Sendable {
    /// The private key's 32-byte seed.
    private let seed: [UInt8]
    public let publicKey: [UInt8]

    public var rawRepresentation: [UInt8] { seed }

    public init() {
        let key = Curve25519.Signing.PrivateKey()
        seed = Array(key.rawRepresentation)
        publicKey = Array(key.publicKey.rawRepresentation)
    }

    public init(rawRepresentation: [UInt8]) throws {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation)
        seed = Array(key.rawRepresentation)
        publicKey = Array(key.publicKey.rawRepresentation)
    }

    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        Array(try Curve25519.Signing.PrivateKey(rawRepresentation: seed).signature(for: message))
    }

    public static func isValid(signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }

    /// A short name for a public key: the first 16 hex digits of its SHA-256.
    public static func fingerprint(_ publicKey: [UInt8]) -> String {
        String(LedgerDigest.hex(LedgerDigest.sha256(publicKey)).prefix(16))
    }
}
