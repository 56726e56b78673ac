/// How a polled meter is reached safely: TLS and authentication. Secrets never stand in the
/// configuration: it names files (a systemd credential, a 0600 file) that the daemon reads at
/// start, and no log line or stored URL ever shows their content.
extension Config {
    public struct TLS: Sendable, Equatable {
        /// Verification of the server's certificate and name: on unless a meter opts out, which
        /// is logged as a warning at every start.
        public var verify = true
        /// CA bundle to verify against instead of the system's (a gateway's own CA, a self-signed certificate).
        public var caFile: String?
        /// Client certificate and key (PEM) for gateways that require mutual TLS.
        public var clientCert: String?
        public var clientKey: String?
        public init() {}
    }

    public enum AuthKind: String, Sendable, Equatable, CaseIterable {
        case none, basic, digest, bearer, header
    }

    public struct Auth: Sendable, Equatable {
        public var kind = AuthKind.none
        /// basic, digest.
        public var username: String?
        /// The password (basic, digest), token (bearer) or key (header), read from this file;
        /// a relative path is looked up in $CREDENTIALS_DIRECTORY when systemd sets it.
        public var secretFile: String?
        /// header: the request header that carries the key ("X-API-Key").
        public var headerName: String?
        public init() {}
    }
}
