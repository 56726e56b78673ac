import CCurlShim

/// libcurl's multi interface: many transfers driven from one thread. Owns its `CURLM*`.
public final class MultiHandle {
    private let handle: UnsafeMutableRawPointer
    private var running: [UnsafeMutableRawPointer: EasyHandle] = [:]

    public init(maxTotalConnections: Int = 64, maxPerHost: Int = 8) throws(CurlError) {
        _ = CurlGlobal.initialised
        guard let h = curl_multi_init() else { throw CurlError(CURLE_FAILED_INIT) }
        handle = h
        CCurlShim_multi_setopt_long(h, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxTotalConnections)
        CCurlShim_multi_setopt_long(h, CURLMOPT_MAX_HOST_CONNECTIONS, maxPerHost)
        CCurlShim_multi_setopt_long(h, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
    }

    deinit {
        for easy in running.keys { curl_multi_remove_handle(handle, easy) }
        curl_multi_cleanup(handle)
    }

    public func add(_ easy: EasyHandle) throws(CurlError) {
        let rc = curl_multi_add_handle(handle, easy.handle)
        guard rc == CURLM_OK else { throw CurlError(multi: rc) }
        running[easy.handle] = easy
    }

    /// Waits for socket activity up to `timeoutMs` (or until `wakeup()`), then advances every
    /// transfer. Returns the transfers that finished, with their error if any.
    public func poll(timeoutMs: Int) -> [(EasyHandle, CurlError?)] {
        var numfds: Int32 = 0
        curl_multi_poll(handle, nil, 0, Int32(clamping: timeoutMs), &numfds)
        var stillRunning: Int32 = 0
        curl_multi_perform(handle, &stillRunning)
        var done: [(EasyHandle, CurlError?)] = []
        var queued: Int32 = 0
        while let msg = curl_multi_info_read(handle, &queued) {
            guard msg.pointee.msg == CURLMSG_DONE, let e = msg.pointee.easy_handle, let easy = running.removeValue(forKey: e) else { continue }
            let code = msg.pointee.data.result
            curl_multi_remove_handle(handle, e)
            done.append((easy, easy.error(for: code)))
        }
        return done
    }

    /// Interrupts a `poll` from another thread (shutdown, new work).
    public func wakeup() { curl_multi_wakeup(handle) }
}
