/// Multi-meter sources: one response that holds the values of several configured meters
/// (emoncms `feed/list.json`, Fronius `GetMeterRealtimeData` with `Scope=System`). Meters that
/// read one element of such a response and make the same request are polled once: the response
/// is handed to each of them, and each reads its own element from it.
extension Config.Poll {
    /// Whether the meter reads one element of a response that holds many.
    public var readsOneOfMany: Bool {
        !isWindowed && payload.gateway?.sharedRequest != nil
    }

    /// The request and its schedule, without what only says which element is read: meters
    /// with the same key share one poll.
    var sharedRequestKey: Config.Poll {
        var k = self
        // The profile's name for the request, whatever element each meter reads.
        k.payload = .json(Config.JSONMapping(value: payload.gateway?.sharedRequest ?? format))
        k.backfill = nil
        return k
    }
}

extension Config {
    /// Meters polled together, by the id of the one whose poll they share (the first of them
    /// in the configuration); a meter of none is absent.
    public var sharedPolls: [String: [String]] {
        var groups: [(key: Poll, ids: [String])] = []
        for m in meters {
            guard let p = m.poll, p.readsOneOfMany else { continue }
            let key = p.sharedRequestKey
            if let i = groups.firstIndex(where: { $0.key == key }) {
                groups[i].ids.append(m.id)
            } else {
                groups.append((key, [m.id]))
            }
        }
        var out: [String: [String]] = [:]
        for g in groups where g.ids.count > 1 { out[g.ids[0]] = Array(g.ids.dropFirst()) }
        return out
    }
}
