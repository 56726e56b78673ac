import CCurlShim
import JCMCore

extension Origin {
    /// The origin of `url` as libcurl parses it (the parse the transfer itself uses, so a url
    /// crafted to read one way here and another there cannot slip past); nil when it does not parse.
    public init?(curlURL url: String) {
        guard let u = curl_url() else { return nil }
        defer { curl_url_cleanup(u) }
        guard curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK else { return nil }
        func part(_ which: CURLUPart) -> String? {
            var out: UnsafeMutablePointer<CChar>?
            guard curl_url_get(u, which, &out, 0) == CURLUE_OK, let out else { return nil }
            defer { curl_free(out) }
            return String(cString: out)
        }
        guard let scheme = part(CURLUPART_SCHEME), let host = part(CURLUPART_HOST) else { return nil }
        self.init(scheme: scheme, host: host, port: part(CURLUPART_PORT).flatMap { Int($0) })
    }
}
