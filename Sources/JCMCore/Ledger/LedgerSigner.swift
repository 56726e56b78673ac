import Crypto

/// The daemon's Ed25519 key. It signs chain hashes; its public key is recorded in
/// jcm.signing_keys and printed by `jcm-ingestd key`, for verifiers to pin.
// The key is immutable once made: sharing it between threads is safe.
public struct LedgerSigner: @unchecked Sendable {
    private let key: Curve25519.Signing.PrivateKey

    public init() { key = Curve25519.Signing.PrivateKey() }

    public init(rawRepresentation: [UInt8]) throws {
        key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation)
    }

    public var rawRepresentation: [UInt8] { Array(key.rawRepresentation) }
    public var publicKey: [UInt8] { Array(key.publicKey.rawRepresentation) }

    public func sign(_ message: [UInt8]) throws -> [UInt8] { Array(try key.signature(for: message)) }

    public static func isValid(signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }

    /// A short name for a public key: the first 16 hex digits of its SHA-256.
    public static func fingerprint(_ publicKey: [UInt8]) -> String {
        String(LedgerDigest.hex(LedgerDigest.sha256(publicKey)).prefix(16))
    }
}
