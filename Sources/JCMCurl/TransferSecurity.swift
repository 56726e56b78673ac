import CCurlShim

/// How one meter's transfers are secured and bounded, secrets resolved: set once on its handle.
public struct TransferSecurity: Sendable, Equatable {
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
        security = s
        configured = true
        try check(CCurlShim_easy_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, s.lowSpeedBytes))
        try check(CCurlShim_easy_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, s.lowSpeedSeconds))
        try check(CCurlShim_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, s.verifyTLS ? 1 : 0))
        try check(CCurlShim_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, s.verifyTLS ? 2 : 0))
        if let ca = s.caFile { try check(CCurlShim_easy_setopt_string(handle, CURLOPT_CAINFO, ca)) }
        // Credentials go only to the url's origin: libcurl follows no redirect itself, and the
        // poller drops them for a hop elsewhere.
        try check(CCurlShim_easy_setopt_long(handle, CURLOPT_UNRESTRICTED_AUTH, 0))
        try restoreCredentials()
    }

    /// The client certificate, the user and password and the credential header, back on.
    func restoreCredentials() throws(CurlError) {
        let s = security
        if let cert = s.clientCert { try check(CCurlShim_easy_setopt_string(handle, CURLOPT_SSLCERT, cert)) }
        if let key = s.clientKey { try check(CCurlShim_easy_setopt_string(handle, CURLOPT_SSLKEY, key)) }
        switch s.credentials {
        case .basic(let user, let password), .digest(let user, let password):
            // CURLAUTH_BASIC and CURLAUTH_DIGEST are casts in curl.h, which Swift does not import.
            let scheme = if case .digest = s.credentials { 1 << 1 } else { 1 << 0 }
            try check(CCurlShim_easy_setopt_long(handle, CURLOPT_HTTPAUTH, scheme))
            try check(CCurlShim_easy_setopt_string(handle, CURLOPT_USERNAME, user))
            try check(CCurlShim_easy_setopt_string(handle, CURLOPT_PASSWORD, password))
        case .none, .header: break
        }
        credentialed = true
        if let key = requestHeaderKey { try setRequestHeaders(key.lines) }
    }

    /// For a hop off the meter's origin: nothing that identifies the meter's client goes there.
    /// The header list follows at the next `setRequestHeaders`.
    func dropCredentials() throws(CurlError) {
        let s = security
        if s.clientCert != nil { try check(CCurlShim_easy_setopt_string(handle, CURLOPT_SSLCERT, nil)) }
        if s.clientKey != nil { try check(CCurlShim_easy_setopt_string(handle, CURLOPT_SSLKEY, nil)) }
        if case .basic = s.credentials { try clearUserAndPassword() }
        if case .digest = s.credentials { try clearUserAndPassword() }
        credentialed = false
    }

    private func clearUserAndPassword() throws(CurlError) {
        try check(CCurlShim_easy_setopt_string(handle, CURLOPT_USERNAME, nil))
        try check(CCurlShim_easy_setopt_string(handle, CURLOPT_PASSWORD, nil))
    }
}
