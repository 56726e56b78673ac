import CCurlShim

/// libcurl's multi interface: many transfers driven from one thread. Owns its `CURLM*`.
public final class MultiHandle {
    private let handle: UnsafeMutableRawPointer
    private var running: [UnsafeMutableRawPointer: EasyHandle] = [:]
    /// Whether transfers were added since libcurl last advanced them.
    private var added = false

    public init(_ limits: ConnectionLimits = .init()) throws(CurlError) {
        _ = CurlGlobal.initialised
        guard let h = curl_multi_init() else { throw CurlError(CURLE_FAILED_INIT) }
        handle = h
        CCurlShim_multi_setopt_long(h, CURLMOPT_MAX_TOTAL_CONNECTIONS, limits.maxConnections)
        CCurlShim_multi_setopt_long(h, CURLMOPT_MAX_HOST_CONNECTIONS, limits.maxConnectionsPerHost)
        // The idle cache defaults to 4 per handle added at once, which for polls added a few at a
        // time closes the connection of a meter polled next second; keep as many as may be open.
        CCurlShim_multi_setopt_long(h, CURLMOPT_MAXCONNECTS, limits.maxConnections)
        CCurlShim_multi_setopt_long(h, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
    }

    deinit {
        for easy in running.keys { curl_multi_remove_handle(handle, easy) }
        curl_multi_cleanup(handle)
    }

    /// Transfers added and not yet finished.
    public var count: Int { running.count }

    public func add(_ easy: EasyHandle) throws(CurlError) {
        let rc = curl_multi_add_handle(handle, easy.handle)
        guard rc == CURLM_OK else { throw CurlError(multi: rc) }
        running[easy.handle] = easy
        added = true
    }

    /// Advances the transfers once, without waiting, when some were added since the last
    /// advance: their requests go out now. Finished ones are returned by the next `poll`.
    public func sendAdded() {
        guard added else { return }
        added = false
        var stillRunning: Int32 = 0
        curl_multi_perform(handle, &stillRunning)
    }

    /// Waits for socket activity up to `timeoutMs` (or until `wakeup()`), then advances every
    /// transfer. Returns the transfers that finished, with their error if any.
    public func poll(timeoutMs: Int) -> [(EasyHandle, CurlError?)] {
        var numfds: Int32 = 0
        curl_multi_poll(handle, nil, 0, Int32(clamping: timeoutMs), &numfds)
        var stillRunning: Int32 = 0
        curl_multi_perform(handle, &stillRunning)
        added = false
        var done: [(EasyHandle, CurlError?)] = []
        var queued: Int32 = 0
        while let msg = curl_multi_info_read(handle, &queued) {
            guard msg.pointee.msg == CURLMSG_DONE, let e = msg.pointee.easy_handle,
                let easy = running.removeValue(forKey: e)
            else { continue }
            done.append((easy, easy.error(for: msg.pointee.data.result)))
        }
        // Removed once every message is read: curl_multi_remove_handle walks the messages still
        // queued, so removing inside the loop above costs the square of a turn's transfers.
        for (easy, _) in done { curl_multi_remove_handle(handle, easy.handle) }
        return done
    }

    /// Interrupts a `poll` from another thread (shutdown, new work).
    public func wakeup() { curl_multi_wakeup(handle) }

    /// What another thread may hold of this handle: its `wakeup`.
    public var waker: Waker { Waker(self) }

    /// `@unchecked Sendable` is sound, as for any C handle's wrapper: it calls nothing but
    /// `curl_multi_wakeup`, which libcurl documents as callable from any thread, and it keeps the
    /// multi handle alive, so the `CURLM*` is cleaned up only once no thread can wake it.
    public final class Waker: @unchecked Sendable {
        private let multi: MultiHandle
        init(_ multi: MultiHandle) { self.multi = multi }
        public func wakeup() { multi.wakeup() }
    }
}
