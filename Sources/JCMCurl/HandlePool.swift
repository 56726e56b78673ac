/// The poller's easy handles: one per transfer running, not one per meter. libcurl keeps
/// connections in the multi handle's cache, where any handle reuses them, so a meter between
/// polls needs no handle; and a handle weighs about 10 KB (libcurl's state and receive buffer),
/// which for 10,000 meters was half the daemon's memory.
///
/// A meter gets back the handle it used last when that one is free, so its options are still
/// set (and a digest nonce still good). Another handle is reset first unless it was configured
/// with the same TransferSecurity: nothing of one meter's credentials reaches another's request.
final class HandlePool {
    private var handles: [EasyHandle] = []
    /// The free handles, by index into `handles`; `freeSlot[k]` is where handle k sits in it, or
    /// -1 while it is in use.
    private var free: [Int] = []
    private var freeSlot: [Int] = []
    /// Per meter, the handle it used last, or -1.
    private var lastOf: [Int]

    init(meters: Int) {
        lastOf = Array(repeating: -1, count: meters)
    }

    /// Handles made so far: at most as many as transfers have run at once.
    var count: Int { handles.count }

    /// A handle for a poll of meter `meter`, configured with `security` and tagged with the meter.
    func take(for meter: Int, security: TransferSecurity) throws(CurlError) -> EasyHandle {
        var k = lastOf[meter]
        if k >= 0, freeSlot[k] >= 0 {
            removeFree(k)
        } else if let top = free.last {
            k = top
            removeFree(k)
        } else {
            let h = try EasyHandle()
            h.poolIndex = handles.count
            k = handles.count
            handles.append(h)
            freeSlot.append(-1)
        }
        let h = handles[k]
        if h.configured, h.security != security { h.reset() }
        if !h.configured { try h.configure(security) }
        h.tag = meter
        lastOf[meter] = k
        return h
    }

    /// Back to the pool once its transfer is over and its result read.
    func give(_ h: EasyHandle) {
        let k = h.poolIndex
        guard freeSlot[k] < 0 else { return }
        freeSlot[k] = free.count
        free.append(k)
    }

    private func removeFree(_ k: Int) {
        let at = freeSlot[k]
        let last = free.removeLast()
        if last != k {
            free[at] = last
            freeSlot[last] = at
        }
        freeSlot[k] = -1
    }
}
