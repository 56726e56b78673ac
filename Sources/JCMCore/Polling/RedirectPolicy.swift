/// Which redirects a meter's polls follow (`redirects` in `[[meter]]`). libcurl has no
/// same-origin mode, so the poller follows them itself: on a 3xx it asks `decide` about the
/// Location libcurl resolved, and either re-issues the transfer there or fails the poll. Nothing
/// is sent to a refused target, and credentials never leave the meter's origin.
public enum RedirectPolicy: String, Sendable, Equatable, CaseIterable {
    /// A 3xx is the poll's answer (an `http_status` rejection).
    case none
    /// Followed while scheme, host and port stay those of the meter's url.
    case sameOrigin = "same-origin"
    /// Followed anywhere over http(s), for a gateway behind a cloud portal; once a hop leaves the
    /// meter's origin the rest of the chain goes without credentials.
    case any

    /// Hops one poll follows at most; the next redirect fails the poll (a loop ends here).
    public static let maxHops = 5

    public enum Decision: Sendable, Equatable {
        case follow(withCredentials: Bool)
        case refuse(String)
    }

    /// Whether hop number `hop` (1 for the first redirect) goes to `target`. `credentialed` says
    /// whether the chain still carries credentials (it has not left `meter`); `afterHTTPS`,
    /// whether the meter or any hop so far was https.
    public func decide(meter: Origin, target: Origin?, hop: Int, credentialed: Bool, afterHTTPS: Bool = false)
        -> Decision
    {
        guard let target else { return .refuse("redirect to an unreadable location refused") }
        guard self != .none else { return .refuse("redirect to \(target) not followed (redirects = \"none\")") }
        guard hop <= Self.maxHops else { return .refuse("more than \(Self.maxHops) redirects; the last to \(target)") }
        guard target.scheme == "http" || target.scheme == "https" else {
            return .refuse("redirect to \(target) refused: only http and https are followed")
        }
        // Giving up TLS would let anyone on the path answer for the gateway.
        if meter.scheme == "https" || afterHTTPS, target.scheme != "https" {
            return .refuse("redirect to \(target) refused: it leaves https")
        }
        if target == meter { return .follow(withCredentials: credentialed) }
        guard self == .any else {
            return .refuse(
                "redirect to \(target) refused: not the meter's origin \(meter) (redirects = \"same-origin\")")
        }
        return .follow(withCredentials: false)
    }
}

/// Scheme, host and port of a url: what must match for a redirect to count as same-origin.
/// Built from libcurl's own parse of the url, so the origin checked is the one contacted.
public struct Origin: Sendable, Equatable, CustomStringConvertible {
    public let scheme: String
    public let host: String
    public let port: Int

    /// Scheme and host compare case-insensitively; a missing port is the scheme's default.
    public init(scheme: String, host: String, port: Int?) {
        self.scheme = scheme.lowercased()
        self.host = host.lowercased()
        self.port = port ?? (self.scheme == "https" ? 443 : 80)
    }

    /// Never a path or a query: an origin carries no secret to redact.
    public var description: String { "\(scheme)://\(host):\(port)" }
}
