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

    static func resolve(_ config: Config, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> [String: Resolved]
    {
        var out: [String: Resolved] = [:]
        for u in config.uploads {
            func read(_ file: String, _ key: String) throws -> String {
                do {
                    return try PollSecrets.read(file, meter: u.id, environment: environment)
                } catch let e as PollSecrets.Unreadable {
                    throw Unreadable(upload: u.id, key: key, path: e.path, reason: e.reason)
                }
            }
            let s = try PollSecrets.security(
                tls: u.tls, auth: u.auth, lowSpeedBytes: u.lowSpeedBytes, lowSpeedMilliseconds: u.lowSpeedMilliseconds
            ) {
                try read($0, "auth.secret_file")
            }
            var signing: FileDownload.Signing?
            if u.listing == .s3, let region = u.region, let keyFile = u.accessKeyIDFile,
                let secretFile = u.secretAccessKeyFile
            {
                signing = FileDownload.Signing(
                    region: region, accessKeyID: try read(keyFile, "access_key_id_file"),
                    secretAccessKey: try read(secretFile, "secret_access_key_file"))
            }
            out[u.id] = Resolved(security: s, signing: signing)
        }
        return out
    }
}

extension UploadSecrets {
    /// Every secret of the upload sources (credentials in their URLs, their auth, their S3 keys):
    /// replaced by *** wherever a listing's or a download's answer is logged or stored.
    static func redactor(_ uploads: [Config.Upload], _ resolved: [String: Resolved]) -> SecretRedactor {
        var r = SecretRedactor()
        for u in uploads {
            r.add(secretsOf: u.url)
            switch resolved[u.id]?.security.credentials {
            case .basic(let user, let password)?, .digest(let user, let password)?:
                r.add(user: user, password: password)
            case .header(_, let value)?:
                r.add(value)
                if value.hasPrefix("Bearer ") { r.add(String(value.dropFirst(7))) }
            default: break
            }
            if let signing = resolved[u.id]?.signing {
                r.add(signing.accessKeyID)
                r.add(signing.secretAccessKey)
            }
        }
        return r
    }
}
