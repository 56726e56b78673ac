import Foundation
import JCMCore
import JCMPostgres

/// The daemon's Ed25519 key, kept as its 32 raw bytes in `state_dir/ledger/signing.key`
/// (mode 0600), made on first use. Whoever holds it can sign links: back it up with the state
/// folder, keep it off the database host, and give verifiers its public key (`jcm-ingestd key`).
public enum SigningKeyFile {
    public static func path(stateDir: String) -> String { stateDir + "/ledger/signing.key" }

    public static func exists(stateDir: String) -> Bool {
        FileManager.default.fileExists(atPath: path(stateDir: stateDir))
    }

    /// The key on disk; made when there is none and `create` (the default: tests and the first
    /// start of a writer whose database has no key yet, IngestContext).
    public static func load(stateDir: String, create: Bool = true) throws -> LedgerSigner {
        let file = path(stateDir: stateDir)
        if let data = FileManager.default.contents(atPath: file) {
            do {
                return try LedgerSigner(rawRepresentation: Array(data))
            } catch {
                throw KeyFileError(message: "\(file): not an Ed25519 private key (32 raw bytes)")
            }
        }
        guard create else { throw KeyFileError(message: "\(file): no signing key") }
        let dir = (file as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
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

extension SigningKeyFile {
    /// Rotation: the old key is kept beside as `signing.key.<fingerprint>.retired`.
    public static func replace(stateDir: String, with next: LedgerSigner) throws {
        let file = path(stateDir: stateDir)
        let old = try load(stateDir: stateDir, create: false)
        let retired = file + ".\(LedgerSigner.fingerprint(old.publicKey)).retired"
        let temp = file + ".next"
        guard
            FileManager.default.createFile(
                atPath: temp, contents: Data(next.rawRepresentation), attributes: [.posixPermissions: 0o600]),
            link(file, retired) == 0, rename(temp, file) == 0
        else {
            throw KeyFileError(message: "\(file): cannot replace the signing key: \(String(cString: strerror(errno)))")
        }
    }

    /// The writer's key. A new one is made only when the database has signed nothing with any
    /// key yet: a daemon pointed at the wrong `state_dir` must not start signing with a key no
    /// verifier was given. Another writer's key is made explicitly (`jcm-ingestd key --create`).
    public static func forWriting(stateDir: String, db: Connection) throws -> LedgerSigner {
        if exists(stateDir: stateDir) { return try load(stateDir: stateDir) }
        let keys = try db.query("select fingerprint from jcm.signing_keys order by id").map { try $0.string(0) }
        guard keys.isEmpty else {
            throw KeyFileError(
                message: """
                    \(path(stateDir: stateDir)): no signing key, and the database already has \(keys.count) (\(keys.joined(separator: ", "))): \
                    is daemon.state_dir right? To add a writer with a key of its own, run `jcm-ingestd key --create` first
                    """)
        }
        return try load(stateDir: stateDir)
    }
}

public struct KeyFileError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
