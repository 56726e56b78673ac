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

    static func resolve(_ config: Config, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [String: TransferSecurity] {
        var out: [String: TransferSecurity] = [:]
        for meter in config.meters {
            guard let poll = meter.poll else { continue }
            var s = TransferSecurity()
            s.verifyTLS = poll.tls.verify
            s.caFile = poll.tls.caFile
            s.clientCert = poll.tls.clientCert
            s.clientKey = poll.tls.clientKey
            s.lowSpeedBytes = poll.lowSpeedBytes
            s.lowSpeedSeconds = Int((poll.lowSpeedMilliseconds + 999) / 1_000)
            let auth = poll.auth
            if auth.kind != .none, let file = auth.secretFile {
                let secret = try read(file, meter: meter.id, environment: environment)
                switch auth.kind {
                case .basic: s.credentials = .basic(user: auth.username ?? "", password: secret)
                case .digest: s.credentials = .digest(user: auth.username ?? "", password: secret)
                case .bearer: s.credentials = .header(name: "Authorization", value: "Bearer \(secret)")
                case .header: s.credentials = .header(name: auth.headerName ?? "X-API-Key", value: secret)
                case .none: break
                }
            }
            out[meter.id] = s
        }
        return out
    }

    /// The file's content without its final line break. A relative path is a systemd
    /// credential name when $CREDENTIALS_DIRECTORY is set (LoadCredential=).
    static func read(_ file: String, meter: String, environment: [String: String]) throws -> String {
        let path = !file.hasPrefix("/") && environment["CREDENTIALS_DIRECTORY"] != nil
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
