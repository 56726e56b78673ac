/// Which polls may start now: at most `maxTotal` transfers at once, and `maxPerHost` to one
/// host (scheme, name and port) unless the host multiplexes (HTTP/2: up to `streamsPerConnection`
/// polls share each connection). A poll that may not start waits here, first come first served
/// per host, hosts taking turns; it is never handed to libcurl to wait, because a transfer
/// libcurl queues for a connection sits on a list that each finished transfer walks
/// (curl_multi_remove_handle): at 10,000 meters such a queue cost more than the polls.
public struct TransferGate: Sendable {
    /// libcurl's default of CURLMOPT_MAX_CONCURRENT_STREAMS.
    public static let streamsPerConnection = 100

    struct Host {
        var running = 0
        var multiplexed = false
        var waiting = IndexFIFO()
        /// Whether the host is in `ready` (it has waiting polls and may start one).
        var listed = false
    }

    public let maxTotal: Int
    public let maxPerHost: Int
    private let hostOf: [Int32]
    private var hosts: [Host]
    private var ready = IndexFIFO()
    public private(set) var running = 0
    public private(set) var waiting = 0

    /// `hostOf[meter]` numbers each meter's host, from 0.
    public init(hostOf: [Int], maxTotal: Int, maxPerHost: Int) {
        self.hostOf = hostOf.map { Int32($0) }
        self.maxTotal = max(1, maxTotal)
        self.maxPerHost = max(1, maxPerHost)
        hosts = Array(repeating: Host(), count: (hostOf.max() ?? -1) + 1)
    }

    private func cap(_ h: Host) -> Int { h.multiplexed ? maxPerHost * Self.streamsPerConnection : maxPerHost }

    /// A poll of `meter` is due: true when it starts now (it is counted running), false when it
    /// waits for `nextAdmitted`.
    public mutating func request(_ meter: Int) -> Bool {
        let h = Int(hostOf[meter])
        if running < maxTotal, hosts[h].waiting.isEmpty, hosts[h].running < cap(hosts[h]) {
            running += 1
            hosts[h].running += 1
            return true
        }
        hosts[h].waiting.append(meter)
        waiting += 1
        list(h)
        return false
    }

    /// The poll of `meter` ended (or never started after `request` or `nextAdmitted` let it).
    public mutating func finished(_ meter: Int) {
        let h = Int(hostOf[meter])
        running -= 1
        hosts[h].running -= 1
        list(h)
    }

    /// The host of `meter` answered over HTTP/2 or later: its polls share connections.
    public mutating func multiplexes(_ meter: Int) {
        let h = Int(hostOf[meter])
        guard !hosts[h].multiplexed else { return }
        hosts[h].multiplexed = true
        list(h)
    }

    /// A waiting poll that may start now (counted running), hosts in turn; nil when none may.
    public mutating func nextAdmitted() -> Int? {
        while running < maxTotal, let h = ready.popFirst() {
            hosts[h].listed = false
            guard hosts[h].running < cap(hosts[h]), let meter = hosts[h].waiting.popFirst() else { continue }
            waiting -= 1
            running += 1
            hosts[h].running += 1
            list(h)
            return meter
        }
        return nil
    }

    private mutating func list(_ h: Int) {
        guard !hosts[h].listed, !hosts[h].waiting.isEmpty, hosts[h].running < cap(hosts[h]) else { return }
        hosts[h].listed = true
        ready.append(h)
    }
}

/// A first-in first-out queue of indices that reuses its storage.
struct IndexFIFO: Sendable {
    private var items: [Int] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }

    mutating func append(_ index: Int) { items.append(index) }

    mutating func popFirst() -> Int? {
        guard head < items.count else { return nil }
        let first = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1_024, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return first
    }
}
