import Foundation
import JCMCore
import JCMCurl

/// Turns each polled meter's `[meter.tls]` and `[meter.auth]` into the options of its transfers,
/// reading the secret files. A file that cannot be read stops a start (or refuses a reload) with
/// the meter and the file named; the secret itself is never logged.
enum PollSecrets {
    struct Unreadable: Error, CustomStringConvertible {
        var meter: String
        var path: String
        var reason: String
        var description: String { "meter \(meter): cannot read secret_file \(path): \(reason)" }
    }

    /// The options of the polled meters whose options are not the defaults: a meter left out
    /// is polled with `TransferSecurity()` (a fleet's plain meters held 2 MB at 10,000).
    static func resolve(_ config: Config, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> [String: TransferSecurity]
    {
        var out: [String: TransferSecurity] = [:]
        for meter in config.meters {
            guard let poll = meter.poll else { continue }
            let options = try security(
                tls: poll.tls, auth: poll.auth, lowSpeedBytes: poll.lowSpeedBytes,
                lowSpeedMilliseconds: poll.lowSpeedMilliseconds
            ) {
                try read($0, meter: meter.id, environment: environment)
            }
            if options != TransferSecurity() { out[meter.id] = options }
        }
        return out
    }

    /// Every secret of the polled meters (credentials, secret query values, userinfo), for
    /// SecretRedactor.
    static func redactor(_ config: Config, _ security: [String: TransferSecurity]) -> SecretRedactor {
        var r = SecretRedactor()
        for meter in config.meters {
            guard let poll = meter.poll else { continue }
            r.add(secretsOf: poll.url)
            switch security[meter.id]?.credentials {
            case .basic(let user, let password)?, .digest(let user, let password)?:
                r.add(user: user, password: password)
            case .header(_, let value)?:
                r.add(value)
                if value.hasPrefix("Bearer ") { r.add(String(value.dropFirst(7))) }
            default: break
            }
        }
        return r
    }

    /// A transfer's options from its `tls` and `auth` tables (a meter's or an upload source's);
    /// `readSecret` reads the auth secret file.
    static func security(
        tls: Config.TLS, auth: Config.Auth, lowSpeedBytes: Int, lowSpeedMilliseconds: Int64,
        readSecret: (String) throws -> String
    ) throws -> TransferSecurity {
        var s = TransferSecurity()
        s.verifyTLS = tls.verify
        s.caFile = tls.caFile
        s.clientCert = tls.clientCert
        s.clientKey = tls.clientKey
        s.lowSpeedBytes = lowSpeedBytes
        s.lowSpeedSeconds = Int((lowSpeedMilliseconds + 999) / 1_000)
        if auth.kind != .none, let file = auth.secretFile {
            let secret = try readSecret(file)
            switch auth.kind {
            case .basic: s.credentials = .basic(user: auth.username ?? "", password: secret)
            case .digest: s.credentials = .digest(user: auth.username ?? "", password: secret)
            case .bearer: s.credentials = .header(name: "Authorization", value: "Bearer \(secret)")
            case .header: s.credentials = .header(name: auth.headerName ?? "X-API-Key", value: secret)
            case .none: break
            }
        }
        return s
    }

    /// The file's content without its final line break. A relative path is a systemd
    /// credential name when $CREDENTIALS_DIRECTORY is set (LoadCredential=).
    static func read(_ file: String, meter: String, environment: [String: String]) throws -> String {
        let path =
            !file.hasPrefix("/") && environment["CREDENTIALS_DIRECTORY"] != nil
            ? environment["CREDENTIALS_DIRECTORY"]! + "/" + file : file
        var text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Unreadable(meter: meter, path: path, reason: (error as NSError).localizedDescription)
        }
        // By scalars: "\r\n" is one Character, which hasSuffix("\n") does not match.
        while let last = text.unicodeScalars.last, last == "\n" || last == "\r" { text.unicodeScalars.removeLast() }
        guard !text.isEmpty else { throw Unreadable(meter: meter, path: path, reason: "the file is empty") }
        return text
    }
}
