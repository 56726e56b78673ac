/// Reading `[meter.tls]` and `[meter.auth]` (config/jcm-ingestd.toml documents each key).
extension Config {
    static func readTLS(_ r: inout TableReader) -> TLS {
        var tls = TLS()
        if case .bool(let v)? = r.node("verify")?.value {
            tls.verify = v
        } else if r.table["verify"] != nil {
            r.problem("verify", "must be true or false")
        }
        tls.caFile = r.string("ca_file")
        tls.clientCert = r.string("client_cert")
        tls.clientKey = r.string("client_key")
        if (tls.clientCert == nil) != (tls.clientKey == nil) {
            r.problem(tls.clientCert == nil ? "client_key" : "client_cert", "client_cert and client_key go together")
        }
        return tls
    }

    static func readAuth(_ r: inout TableReader) -> Auth {
        var auth = Auth()
        if let k = r.requiredString("type") {
            if let kind = AuthKind(rawValue: k) {
                auth.kind = kind
            } else {
                r.problem("type", "\"\(k)\" is not one of \(AuthKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        auth.username = r.string("username")
        auth.secretFile = r.string("secret_file")
        auth.headerName = r.string("header")
        for key in ["password", "token", "api_key", "secret"] where r.table[key] != nil {
            _ = r.node(key)
            r.problem(key, "secrets never go in the configuration: put it in a file and name it with secret_file")
        }
        switch auth.kind {
        case .basic, .digest:
            if auth.username == nil { r.problem("username", "is required for \(auth.kind.rawValue) authentication") }
            if auth.secretFile == nil { r.problem("secret_file", "is required: the file holding the password") }
        case .bearer:
            if auth.secretFile == nil { r.problem("secret_file", "is required: the file holding the token") }
        case .header:
            if auth.headerName == nil {
                r.problem("header", "is required: the request header that carries the key, e.g. \"X-API-Key\"")
            }
            if auth.secretFile == nil { r.problem("secret_file", "is required: the file holding the key") }
        case .none: break
        }
        return auth
    }
}
