import NIOCore
import Synchronization

/// The /metrics server's open connections, shared by all of them, with when each last did
/// something: a connection beyond `limit` closes the least recently active one, so an idle or
/// trickling crowd can neither hold every descriptor nor lock a scraper out.
final class MetricsConnectionTable: Sendable {
    private struct Entry {
        let channel: any Channel
        var lastActive: NIODeadline
    }
    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Registers `channel`; returns the connection to close to make room for it, if any.
    func opened(_ channel: any Channel) -> (any Channel)? {
        entries.withLock { e in
            e[ObjectIdentifier(channel)] = Entry(channel: channel, lastActive: .now())
            guard e.count > limit else { return nil }
            let oldest = e.filter { $0.key != ObjectIdentifier(channel) }.min {
                $0.value.lastActive < $1.value.lastActive
            }
            guard let oldest else { return nil }
            e[oldest.key] = nil
            return oldest.value.channel
        }
    }

    /// A whole request part arrived or an answer ended.
    func touched(_ channel: any Channel) {
        entries.withLock { $0[ObjectIdentifier(channel)]?.lastActive = .now() }
    }

    /// False when the connection was already evicted (so it is not counted twice).
    @discardableResult
    func closed(_ channel: any Channel) -> Bool {
        entries.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) != nil }
    }
}
