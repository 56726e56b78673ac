import Foundation
import JCMCore
import JCMCurl

/// Each upload source's TLS, credentials and S3 keys, secret files read (as a meter's, with
/// $CREDENTIALS_DIRECTORY). A file that cannot be read stops a start or refuses a reload, naming
/// the source and the file; the secret itself is never logged.
enum UploadSecrets {
    struct Resolved: Sendable {
        var security: TransferSecurity
        var signing: FileDownload.Signing?
    }

    struct Unreadable: Error, CustomStringConvertible {
        var upload: String
        var key: String
        var path: String
        var reason: String
        var description: String { "upload \(upload): cannot read \(key) \(path): \(reason)" }
    }

    static func resolve(_ config: Config, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [String: Resolved] {
        var out: [String: Resolved] = [:]
        for u in config.uploads {
            func read(_ file: String, _ key: String) throws -> String {
                do {
                    return try PollSecrets.read(file, meter: u.id, environment: environment)
                } catch let e as PollSecrets.Unreadable {
                    throw Unreadable(upload: u.id, key: key, path: e.path, reason: e.reason)
                }
            }
            var s = TransferSecurity()
            s.verifyTLS = u.tls.verify
            s.caFile = u.tls.caFile
            s.clientCert = u.tls.clientCert
            s.clientKey = u.tls.clientKey
            s.lowSpeedBytes = u.lowSpeedBytes
            s.lowSpeedSeconds = Int((u.lowSpeedMilliseconds + 999) / 1_000)
            if u.auth.kind != .none, let file = u.auth.secretFile {
                let secret = try read(file, "auth.secret_file")
                switch u.auth.kind {
                case .basic: s.credentials = .basic(user: u.auth.username ?? "", password: secret)
                case .digest: s.credentials = .digest(user: u.auth.username ?? "", password: secret)
                case .bearer: s.credentials = .header(name: "Authorization", value: "Bearer \(secret)")
                case .header: s.credentials = .header(name: u.auth.headerName ?? "X-API-Key", value: secret)
                case .none: break
                }
            }
            var signing: FileDownload.Signing?
            if u.listing == .s3, let region = u.region, let keyFile = u.accessKeyIDFile, let secretFile = u.secretAccessKeyFile {
                signing = FileDownload.Signing(region: region, accessKeyID: try read(keyFile, "access_key_id_file"),
                                               secretAccessKey: try read(secretFile, "secret_access_key_file"))
            }
            out[u.id] = Resolved(security: s, signing: signing)
        }
        return out
    }
}
