import Foundation

/// Replaces every secret the daemon knows with `***` in what it keeps: a gateway that echoes a
/// request (its URL, its Authorization or API-key header) in an error body must not put the
/// credentials into jcm.rejections.raw, the spool, errors.json or the log.
///
/// Each secret is also looked for in the forms it travels in: percent-encoded (a query string)
/// and, for a basic or digest password, `user:password` in base64 (an echoed Authorization
/// header). Secrets shorter than 4 bytes are not replaced: they would garble ordinary text.
public struct SecretRedactor: Sendable, Equatable {
    public static let mask: [UInt8] = Array("***".utf8)
    /// Longest first, so a secret that contains another is replaced whole.
    private var secrets: [[UInt8]] = []

    public init(_ secrets: [String] = []) {
        for s in secrets { add(s) }
    }

    public var isEmpty: Bool { secrets.isEmpty }

    public mutating func add(_ secret: String) {
        var forms = [secret]
        if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics), encoded != secret {
            forms.append(encoded)
        }
        for form in forms where form.utf8.count >= 4 && !secrets.contains(Array(form.utf8)) {
            secrets.append(Array(form.utf8))
        }
        secrets.sort { $0.count > $1.count }
    }

    /// A basic or digest credential: the password, and `user:password` as an Authorization header carries it.
    public mutating func add(user: String, password: String) {
        add(password)
        add(Data("\(user):\(password)".utf8).base64EncodedString())
    }

    public func redact(_ bytes: [UInt8]) -> [UInt8] {
        guard !secrets.isEmpty, !bytes.isEmpty else { return bytes }
        var out: [UInt8] = []
        var i = 0
        var copied = 0
        while i < bytes.count {
            var matched = 0
            for s in secrets where s.count <= bytes.count - i && bytes[i] == s[0] {
                if bytes[i..<(i + s.count)].elementsEqual(s) {
                    matched = s.count
                    break
                }
            }
            if matched > 0 {
                if out.isEmpty { out.reserveCapacity(bytes.count) }
                out.append(contentsOf: bytes[copied..<i])
                out.append(contentsOf: Self.mask)
                i += matched
                copied = i
            } else {
                i += 1
            }
        }
        if copied == 0 { return bytes }
        out.append(contentsOf: bytes[copied...])
        return out
    }

    public func redact(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        let bytes = Array(text.utf8)
        let out = redact(bytes)
        return out.count == bytes.count && out == bytes ? text : String(decoding: out, as: UTF8.self)
    }

    /// Query values whose name says they are a credential (key, token, secret, password,
    /// signature, auth…), and the password of userinfo, from a URL.
    public mutating func add(secretsOf url: String) {
        guard let c = URLComponents(string: url) else { return }
        if let password = c.password {
            add(user: c.user ?? "", password: password)
            add(password.removingPercentEncoding ?? password)
        }
        for item in c.queryItems ?? [] {
            guard let value = item.value, Self.isSecretName(item.name) else { continue }
            add(value)
        }
    }

    static func isSecretName(_ name: String) -> Bool {
        let n = name.lowercased()
        return ["key", "token", "secret", "pass", "pwd", "auth", "sig", "credential", "session"].contains {
            n.contains($0)
        }
    }
}
