import Foundation
import JCMCore

/// The daemon's Ed25519 key, kept as its 32 raw bytes in `state_dir/ledger/signing.key`
/// (mode 0600), made on first use. Whoever holds it can sign links: back it up with the state
/// folder, keep it off the database host, and give verifiers its public key (`jcm-ingestd key`).
public enum SigningKeyFile {
    public static func path(stateDir: String) -> String { stateDir + "/ledger/signing.key" }

    public static func load(stateDir: String) throws -> LedgerSigner {
        let file = path(stateDir: stateDir)
        if let data = FileManager.default.contents(atPath: file) {
            do {
                return try LedgerSigner(rawRepresentation: Array(data))
            } catch {
                throw KeyFileError(message: "\(file): not an Ed25519 private key (32 raw bytes)")
            }
        }
        let dir = (file as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw KeyFileError(message: "\(dir): cannot create the ledger folder: \(error.localizedDescription)")
        }
        let signer = LedgerSigner()
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            // Another process made it first: use theirs.
            if errno == EEXIST { return try load(stateDir: stateDir) }
            throw KeyFileError(message: "\(file): cannot create the signing key: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let raw = signer.rawRepresentation
        guard write(fd, raw, raw.count) == raw.count, fsync(fd) == 0 else {
            throw KeyFileError(message: "\(file): cannot write the signing key: \(String(cString: strerror(errno)))")
        }
        return signer
    }
}

public struct KeyFileError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
