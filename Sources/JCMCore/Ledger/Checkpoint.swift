import Crypto
import Foundation

/// A signed checkpoint of one chain, in the C2SP tlog-checkpoint format, signed as a C2SP signed
/// note (the format of Go's sumdb and Sigstore's logs), so existing tooling can read it:
///
///     jcm-ingestd/IN-JP-0001          origin: the chain
///     812                             size: the head's seq
///     q8sV…=                          the head's chain hash, base64
///     (blank line)
///     — jcm-ingestd-1a2b3c4d5e6f7a8b BASE64   key name, then base64 of the 4-byte key hash and the Ed25519 signature
///
/// The signature is over the note's text up to and including the newline before the blank line.
/// The key hash is the first 4 bytes of SHA-256(key name, "\n", 0x01, public key): 0x01 marks
/// an Ed25519 key in signed notes.
public struct Checkpoint: Sendable, Equatable {
    public var project: String
    public var size: Int64
    public var hash: [UInt8]
    /// Extension lines after the hash: `period NAME` for the checkpoint written when a period is
    /// declared (its frozen head), so the declaration can be checked against it.
    public var extensions: [String]

    public init(project: String, size: Int64, hash: [UInt8], extensions: [String] = []) {
        self.project = project
        self.size = size
        self.hash = hash
        self.extensions = extensions
    }

    /// The period a declaration checkpoint names.
    public var period: String? {
        extensions.first { $0.hasPrefix("period ") }.map { String($0.dropFirst("period ".count)) }
    }

    public static let originPrefix = "jcm-ingestd/"

    public var origin: String { Self.originPrefix + project }

    /// The note's text before the signatures.
    public var body: String {
        "\(origin)\n\(size)\n\(Data(hash).base64EncodedString())\n" + extensions.map { $0 + "\n" }.joined()
    }

    public static func keyName(_ publicKey: [UInt8]) -> String { "jcm-ingestd-" + LedgerSigner.fingerprint(publicKey) }

    public static func keyHash(name: String, publicKey: [UInt8]) -> [UInt8] {
        Array(LedgerDigest.sha256(Array(name.utf8) + [0x0A, 0x01] + publicKey).prefix(4))
    }

    /// The signed note.
    public func signed(by signer: LedgerSigner) throws -> String {
        let name = Self.keyName(signer.publicKey)
        let signature = try signer.sign(Array(body.utf8))
        return body
            + "\n\u{2014} \(name) \(Data(Self.keyHash(name: name, publicKey: signer.publicKey) + signature).base64EncodedString())\n"
    }

    /// A note read back: the checkpoint, and its signatures as key hash and signature.
    public struct Note: Sendable {
        public var checkpoint: Checkpoint
        public var body: String
        public var signatures: [(name: String, keyHash: [UInt8], signature: [UInt8])]

        /// Whether `publicKey` signed it (under whatever name: the key hash ties name and key).
        public func isSigned(by publicKey: [UInt8]) -> Bool {
            signatures.contains { s in
                s.keyHash == Checkpoint.keyHash(name: s.name, publicKey: publicKey)
                    && LedgerSigner.isValid(signature: s.signature, of: Array(body.utf8), publicKey: publicKey)
            }
        }
    }

    public enum ParseError: Error, CustomStringConvertible {
        case malformed(String)
        public var description: String {
            switch self {
            case .malformed(let why): return "not a jcm-ingestd checkpoint: \(why)"
            }
        }
    }

    /// Every note in `text` (one after the other, as `jcm-ingestd checkpoint` prints them).
    public static func parse(_ text: String) throws(ParseError) -> [Note] {
        var notes: [Note] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)[...]
        while let first = lines.first {
            if first.isEmpty {
                lines.removeFirst()
                continue
            }
            var body: [String] = []
            while let l = lines.first, !l.isEmpty {
                body.append(l)
                lines.removeFirst()
            }
            guard !lines.isEmpty else { throw .malformed("no blank line before the signatures") }
            lines.removeFirst()
            var signatures: [(String, [UInt8], [UInt8])] = []
            while let l = lines.first, l.hasPrefix("\u{2014} ") {
                lines.removeFirst()
                let parts = l.dropFirst(2).split(separator: " ")
                guard parts.count == 2, let raw = Data(base64Encoded: String(parts[1])), raw.count == 68 else {
                    throw .malformed("signature line \(l)")
                }
                signatures.append((String(parts[0]), Array(raw.prefix(4)), Array(raw.dropFirst(4))))
            }
            guard body.count >= 3, body[0].hasPrefix(originPrefix), let size = Int64(body[1]),
                let hash = Data(base64Encoded: body[2])
            else {
                throw .malformed("origin, size and hash expected, found \(body.prefix(3))")
            }
            guard !signatures.isEmpty else { throw .malformed("\(body[0]) is not signed") }
            notes.append(
                Note(
                    checkpoint: Checkpoint(
                        project: String(body[0].dropFirst(originPrefix.count)), size: size, hash: Array(hash),
                        extensions: Array(body.dropFirst(3))),
                    body: body.joined(separator: "\n") + "\n", signatures: signatures))
        }
        return notes
    }
}
