import CCurlShim
import JCMCore

/// One reusable transfer. Owns its `CURL*` (cleaned up in deinit) and the buffers libcurl
/// writes into; reusing the handle keeps its connection alive across polls.
public final class EasyHandle {
    let handle: UnsafeMutableRawPointer
    public private(set) var body: [UInt8] = []
    /// Set when the body passed `maxBytes` and the transfer was cut off.
    public private(set) var exceededCap = false
    public var maxBytes = 1 << 20
    /// libcurl writes error details here during transfers; it must outlive them, so it is
    /// allocated once with the handle rather than borrowed from a Swift array.
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    /// The extra request headers of the next transfer (a curl_slist libcurl reads during it).
    private var requestHeaders: UnsafeMutablePointer<curl_slist>?
    /// Header lines every request of this handle carries (credentials), before the per-poll ones.
    var extraHeaders: [String] = []

    public init() throws(CurlError) {
        _ = CurlGlobal.initialised
        guard let h = curl_easy_init() else { throw CurlError(CURLE_FAILED_INIT) }
        handle = h
        let me = Unmanaged.passUnretained(self).toOpaque()
        CCurlShim_easy_setopt_pointer(h, CURLOPT_WRITEDATA, me)
        CCurlShim_easy_setopt_write_function(h) { data, size, count, userdata in
            let easy = Unmanaged<EasyHandle>.fromOpaque(userdata!).takeUnretainedValue()
            let n = size * count
            guard easy.body.count + n <= easy.maxBytes else {
                easy.exceededCap = true
                return 0  // anything but n makes libcurl abort with CURLE_WRITE_ERROR
            }
            data!.withMemoryRebound(to: UInt8.self, capacity: n) { easy.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
            return n
        }
        errorBuffer[0] = 0
        CCurlShim_easy_setopt_pointer(h, CURLOPT_ERRORBUFFER, errorBuffer)
        CCurlShim_easy_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        CCurlShim_easy_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)
        CCurlShim_easy_setopt_string(h, CURLOPT_USERAGENT, "jcm-ingestd/\(Version.string)")
        // HTTP/2 where the gateway offers it: wait for a connection that can multiplex rather
        // than open another one.
        CCurlShim_easy_setopt_long(h, CURLOPT_PIPEWAIT, 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(requestHeaders)
        errorBuffer.deallocate()
    }

    /// Extra request headers ("If-None-Match: \"v1\""), replacing those of the previous transfer.
    public func setRequestHeaders(_ lines: [String]) throws(CurlError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in extraHeaders + lines { list = curl_slist_append(list, line) }
        let code = CCurlShim_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, list.map(UnsafeMutableRawPointer.init))
        guard code == CURLE_OK else {
            curl_slist_free_all(list)
            throw CurlError(code)
        }
        curl_slist_free_all(requestHeaders)
        requestHeaders = list
    }

    /// A header of the last response, by name (case-insensitive); nil when absent.
    public func responseHeader(_ name: String) -> String? {
        var found: UnsafeMutablePointer<curl_header>?
        guard curl_easy_header(handle, name, 0, UInt32(CURLH_HEADER), -1, &found) == CURLHE_OK, let found else { return nil }
        return String(cString: found.pointee.value)
    }

    /// Prepares the next transfer of `url`.
    public func prepare(url: String, connectTimeoutMs: Int, timeoutMs: Int, maxBytes: Int) throws(CurlError) {
        body.removeAll(keepingCapacity: true)
        exceededCap = false
        errorBuffer[0] = 0
        self.maxBytes = maxBytes
        try check(CCurlShim_easy_setopt_string(handle, CURLOPT_URL, url))
        try check(CCurlShim_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMs))
        try check(CCurlShim_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMs))
        try check(CCurlShim_easy_setopt_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxBytes)))
        try check(CCurlShim_easy_setopt_long(handle, CURLOPT_HTTPGET, 1))
    }

    func check(_ code: CURLcode) throws(CurlError) {
        guard code == CURLE_OK else { throw CurlError(code) }
    }

    public var responseCode: Int {
        var code = 0
        CCurlShim_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// The outcome of a finished transfer as a Swift error, nil on success (any HTTP status).
    func error(for code: CURLcode) -> CurlError? {
        guard code != CURLE_OK else { return nil }
        return CurlError(code, detail: String(cString: errorBuffer))
    }
}
