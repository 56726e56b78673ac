import JCMCore

/// Where a backfilled meter's readings jump further than its interval allows: the gaps to ask
/// its gateway's history for. A value: the writer keeps the committed one and works on a copy
/// for each group of polls, so a group rolled back leaves it as it was.
struct GapDetector: Sendable {
    /// A gap is a reading more than this many expected intervals after the one before it.
    static let gapFactor = 1.5

    /// The newest reading of each backfilled meter.
    private(set) var marks: [String: BackfillMark] = [:]
    /// Meters whose newest stored reading has been read from the database (or found to be none).
    private(set) var seeded: Set<String> = []

    /// The backfilled meters among `meters` whose newest stored reading is not read yet.
    func unseeded(_ meters: [Config.Meter]) -> [String] {
        var seen: Set<String> = []
        return meters.compactMap { m in
            guard m.poll?.backfill != nil, !seeded.contains(m.id), seen.insert(m.id).inserted else { return nil }
            return m.id
        }
    }

    /// The newest stored readings of `meters` (nil: none stored): after a restart, the first
    /// poll's gap is measured from them.
    mutating func seed(_ meters: [String], newest: [String: BackfillMark]) {
        for id in meters {
            seeded.insert(id)
            guard let mark = newest[id] else { continue }
            if marks[id].map({ $0.timestamp < mark.timestamp }) ?? true { marks[id] = mark }
        }
    }

    /// The readings one poll of `meter` stored, at `now`: the gap before the oldest new one, if any.
    mutating func note(_ meter: Config.Meter, _ readings: [Reading], now: Timestamp) -> BackfillGap? {
        guard let poll = meter.poll, let b = poll.backfill else { return nil }
        let previous = marks[meter.id]
        let newer = readings.filter { r in previous.map { r.timestamp > $0.timestamp } ?? true }
        guard let oldest = newer.min(by: { $0.timestamp < $1.timestamp }),
            let newest = newer.max(by: { $0.timestamp < $1.timestamp })
        else { return nil }
        marks[meter.id] = BackfillMark(timestamp: newest.timestamp, value: newest.value)
        guard let previous else { return nil }
        let expected = Double(max(poll.intervalMilliseconds, meter.plan.expectedIntervalMilliseconds ?? 0)) * 1_000
        guard Double(oldest.timestamp.microseconds - previous.timestamp.microseconds) > expected * Self.gapFactor else {
            return nil
        }
        let horizon = now.microseconds - b.horizonMilliseconds * 1_000
        let after = Timestamp(microseconds: max(previous.timestamp.microseconds, horizon))
        let through = Timestamp(microseconds: oldest.timestamp.microseconds - 1)  // the reading after the gap is stored
        guard after < through else { return nil }
        return BackfillGap(
            meterID: meter.id, window: HistoryRequest.Window(after: after, through: through), before: previous)
    }
}
