import CCurlShim
import JCMCore

/// One reusable transfer. Owns its `CURL*` (cleaned up in deinit) and the buffers libcurl
/// writes into; reusing the handle keeps its connection alive across polls. An option is set
/// only when it differs from the one the last transfer used: at 10,000 polls a second, building
/// the same header list and copying the same url each time is work for nothing.
public final class EasyHandle {
    let handle: UnsafeMutableRawPointer
    /// The body so far; never longer than `maxBytes`, nor its buffer much larger.
    public private(set) var body: [UInt8] = []
    /// What the body's buffer holds room for: never more than `maxBytes` (for tests of the cap).
    public var bodyCapacity: Int { body.capacity }
    /// Set when the body passed `maxBytes` and the transfer was cut off.
    public private(set) var exceededCap = false
    public private(set) var maxBytes = 1 << 20
    /// Which target this handle polls, so a finished transfer finds its meter without a lookup.
    public var tag = 0
    /// Its place in the poller's HandlePool.
    var poolIndex = 0
    /// The size of the previous body: the next one is reserved at once rather than grown.
    private var lastBodyCount = 0
    /// libcurl writes error details here during transfers; it must outlive them, so it is
    /// allocated once with the handle rather than borrowed from a Swift array.
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    /// The extra request headers of the next transfer (a curl_slist libcurl reads during it).
    private var requestHeaders: UnsafeMutablePointer<curl_slist>?
    /// What `requestHeaders` was built from; nil before the first transfer.
    var requestHeaderKey: (lines: [String], credentialed: Bool)?
    /// The options the last transfer ran with.
    private var url: String?
    /// The POST body the handle was last set up with; nil: a GET.
    private var postBody: String?
    private var connectTimeoutMs = -1, timeoutMs = -1, maxFileSize = -1
    /// Set with `configure`; cleared from the handle for a hop off the meter's origin.
    public internal(set) var security = TransferSecurity()
    /// Whether `configure` has set `security` on the handle since it was made or reset.
    public internal(set) var configured = false
    public internal(set) var credentialed = true

    public init() throws(CurlError) {
        _ = CurlGlobal.initialised
        guard let h = curl_easy_init() else { throw CurlError(CURLE_FAILED_INIT) }
        handle = h
        errorBuffer[0] = 0
        setBaseOptions()
    }

    /// The options every transfer of this handle has, whoever it is for.
    private func setBaseOptions() {
        let h = handle
        let me = Unmanaged.passUnretained(self).toOpaque()
        CCurlShim_easy_setopt_pointer(h, CURLOPT_WRITEDATA, me)
        CCurlShim_easy_setopt_write_function(h) { data, size, count, userdata in
            let easy = Unmanaged<EasyHandle>.fromOpaque(userdata!).takeUnretainedValue()
            return easy.append(data!, size * count)
        }
        CCurlShim_easy_setopt_pointer(h, CURLOPT_ERRORBUFFER, errorBuffer)
        CCurlShim_easy_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        // Redirects are followed by the poller, hop by hop, after RedirectPolicy agrees.
        CCurlShim_easy_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)
        CCurlShim_easy_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https")
        CCurlShim_easy_setopt_long(h, CURLOPT_HTTPGET, 1)
        CCurlShim_easy_setopt_string(h, CURLOPT_USERAGENT, "jcm-ingestd/\(Version.string)")
        // HTTP/2 where the gateway offers it: wait for a connection that can multiplex rather
        // than open another one.
        CCurlShim_easy_setopt_long(h, CURLOPT_PIPEWAIT, 1)
    }

    /// Back to the base options, nothing of another meter's left (credentials, certificates,
    /// CA file, headers); the connections libcurl keeps stay open.
    func reset() {
        curl_easy_reset(handle)
        setBaseOptions()
        url = nil
        postBody = nil
        connectTimeoutMs = -1
        timeoutMs = -1
        maxFileSize = -1
        requestHeaderKey = nil
        configured = false
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(requestHeaders)
        errorBuffer.deallocate()
    }

    /// libcurl's write callback: keeps the body within `maxBytes`, buffer included.
    private func append(_ data: UnsafeMutablePointer<CChar>, _ n: Int) -> Int {
        let needed = body.count + n
        guard needed <= maxBytes else {
            exceededCap = true
            return 0  // anything but n makes libcurl abort with CURLE_WRITE_ERROR
        }
        if needed > body.capacity {
            // Doubling, but never past the cap: a body cut off at 1 MiB holds 1 MiB, not 2.
            body.reserveCapacity(min(maxBytes, max(needed, lastBodyCount, body.capacity * 2)))
        }
        data.withMemoryRebound(to: UInt8.self, capacity: n) {
            body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n))
        }
        return n
    }

    /// Hands the body over to the poll's result; the next transfer starts a buffer of its own.
    public func takeBody() -> [UInt8] {
        lastBodyCount = body.count
        defer { body = [] }
        return body
    }

    /// Extra request headers ("If-None-Match: \"v1\""), after the credential headers unless a
    /// redirect has dropped them; the list is rebuilt only when it changes.
    public func setRequestHeaders(_ lines: [String]) throws(CurlError) {
        if let key = requestHeaderKey, key.credentialed == credentialed, key.lines == lines { return }
        var list: UnsafeMutablePointer<curl_slist>?
        for line in (credentialed ? security.headerLines : []) + lines { list = curl_slist_append(list, line) }
        let code = CCurlShim_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, list.map(UnsafeMutableRawPointer.init))
        guard code == CURLE_OK else {
            curl_slist_free_all(list)
            throw CurlError(code)
        }
        curl_slist_free_all(requestHeaders)
        requestHeaders = list
        requestHeaderKey = (lines, credentialed)
    }

    /// A header of the last response, by name (case-insensitive); nil when absent.
    public func responseHeader(_ name: String) -> String? {
        var found: UnsafeMutablePointer<curl_header>?
        guard curl_easy_header(handle, name, 0, UInt32(CURLH_HEADER), -1, &found) == CURLHE_OK, let found else {
            return nil
        }
        return String(cString: found.pointee.value)
    }

    /// Prepares the next transfer of `url`, with the meter's credentials: a POST of `body` when
    /// there is one (libcurl copies it: CURLOPT_COPYPOSTFIELDS), else a GET.
    public func prepare(url: String, connectTimeoutMs: Int, timeoutMs: Int, maxBytes: Int, body: String? = nil)
        throws(CurlError)
    {
        resetBody(maxBytes: maxBytes)
        if !credentialed { try restoreCredentials() }
        if body != postBody {
            if let body {
                try check(CCurlShim_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.utf8.count)))
                try check(CCurlShim_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, body))
            } else {
                try check(CCurlShim_easy_setopt_long(handle, CURLOPT_HTTPGET, 1))
            }
            postBody = body
        }
        if url != self.url {
            try check(CCurlShim_easy_setopt_string(handle, CURLOPT_URL, url))
            self.url = url
        }
        if connectTimeoutMs != self.connectTimeoutMs {
            try check(CCurlShim_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMs))
            self.connectTimeoutMs = connectTimeoutMs
        }
        try setTimeout(timeoutMs)
        if maxBytes != maxFileSize {
            // A declared Content-Length above the cap ends the transfer before any byte of it.
            try check(CCurlShim_easy_setopt_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxBytes)))
            maxFileSize = maxBytes
        }
    }

    /// Prepares the next hop of a redirect to `url`: the same transfer limits, `timeoutMs` what
    /// is left of the poll's, and without credentials once the chain has left the meter's origin.
    func prepareRedirect(to url: String, timeoutMs: Int, withCredentials: Bool) throws(CurlError) {
        resetBody(maxBytes: maxBytes)
        if !withCredentials, credentialed { try dropCredentials() }
        try check(CCurlShim_easy_setopt_string(handle, CURLOPT_URL, url))
        self.url = url
        try setTimeout(timeoutMs)
        if let key = requestHeaderKey { try setRequestHeaders(key.lines) }
    }

    private func resetBody(maxBytes: Int) {
        body.removeAll(keepingCapacity: true)
        exceededCap = false
        errorBuffer[0] = 0
        self.maxBytes = maxBytes
    }

    private func setTimeout(_ ms: Int) throws(CurlError) {
        guard ms != timeoutMs else { return }
        try check(CCurlShim_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, ms))
        timeoutMs = ms
    }

    func check(_ code: CURLcode) throws(CurlError) {
        guard code == CURLE_OK else { throw CurlError(code) }
    }

    public var responseCode: Int {
        var code = 0
        CCurlShim_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// Whether the last transfer ran over HTTP/2 or later, where polls of a host share a connection.
    public var multiplexed: Bool {
        var version = 0
        CCurlShim_easy_getinfo_long(handle, CURLINFO_HTTP_VERSION, &version)
        return version >= Int(CURL_HTTP_VERSION_2_0)
    }

    /// Where a 3xx of the last transfer points, resolved against its url by libcurl.
    public var redirectURL: String? {
        var url: UnsafePointer<CChar>?
        guard CCurlShim_easy_getinfo_string(handle, CURLINFO_REDIRECT_URL, &url) == CURLE_OK, let url else {
            return nil
        }
        return String(cString: url)
    }

    /// The outcome of a finished transfer as a Swift error, nil on success (any HTTP status).
    func error(for code: CURLcode) -> CurlError? {
        guard code != CURLE_OK else { return nil }
        return CurlError(code, detail: String(cString: errorBuffer))
    }
}
