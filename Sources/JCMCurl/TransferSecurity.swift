import CCurlShim

/// How one meter's transfers are secured and bounded, secrets resolved: set once on its handle.
public struct TransferSecurity: Sendable {
    public enum Credentials: Sendable, Equatable {
        case none
        case basic(user: String, password: String)
        case digest(user: String, password: String)
        /// A request header carrying a token or key ("Authorization: Bearer …", "X-API-Key: …").
        case header(name: String, value: String)
    }

    public var verifyTLS = true
    public var caFile: String?
    public var clientCert: String?
    public var clientKey: String?
    public var credentials = Credentials.none
    public var lowSpeedBytes = 100
    public var lowSpeedSeconds = 5

    public init() {}

    /// The header lines the credentials add to every request.
    var headerLines: [String] {
        if case .header(let name, let value) = credentials { return ["\(name): \(value)"] }
        return []
    }
}

extension EasyHandle {
    /// Applies `s` to every later transfer of this handle.
    public func configure(_ s: TransferSecurity) throws(CurlError) {
        try check(CCurlShim_easy_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, s.lowSpeedBytes))
        try check(CCurlShim_easy_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, s.lowSpeedSeconds))
        try check(CCurlShim_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, s.verifyTLS ? 1 : 0))
        try check(CCurlShim_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, s.verifyTLS ? 2 : 0))
        if let ca = s.caFile { try check(CCurlShim_easy_setopt_string(handle, CURLOPT_CAINFO, ca)) }
        if let cert = s.clientCert { try check(CCurlShim_easy_setopt_string(handle, CURLOPT_SSLCERT, cert)) }
        if let key = s.clientKey { try check(CCurlShim_easy_setopt_string(handle, CURLOPT_SSLKEY, key)) }
        // Credentials go only to the host of the URL, never along a redirect (none is followed).
        try check(CCurlShim_easy_setopt_long(handle, CURLOPT_UNRESTRICTED_AUTH, 0))
        switch s.credentials {
        case .basic(let user, let password), .digest(let user, let password):
            // CURLAUTH_BASIC and CURLAUTH_DIGEST are casts in curl.h, which Swift does not import.
            let scheme = if case .digest = s.credentials { 1 << 1 } else { 1 << 0 }
            try check(CCurlShim_easy_setopt_long(handle, CURLOPT_HTTPAUTH, scheme))
            try check(CCurlShim_easy_setopt_string(handle, CURLOPT_USERNAME, user))
            try check(CCurlShim_easy_setopt_string(handle, CURLOPT_PASSWORD, password))
        case .none, .header: break
        }
        extraHeaders = s.headerLines
    }
}
