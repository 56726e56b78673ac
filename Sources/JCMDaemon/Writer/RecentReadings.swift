import JCMCore

/// The last readings a polled meter had committed, newest last: enough to see that a reading
/// is one already stored (a meter polled faster than it updates, or a history API polled over
/// its last few intervals) without the server refusing it and a whole group being redone.
struct RecentReadings {
    static let capacity = 8
    private var items: [(timestamp: Timestamp, value: ExactDecimal)] = []

    func value(at t: Timestamp) -> ExactDecimal? { items.last { $0.timestamp == t }?.value }

    /// The newest of them (jcm_meter_last_reading_timestamp_seconds).
    var newest: Timestamp? { items.map(\.timestamp).max() }

    mutating func add(_ t: Timestamp, _ value: ExactDecimal) {
        if items.count == Self.capacity {
            items.removeFirst()
        } else if items.isEmpty {
            items.reserveCapacity(Self.capacity)  // once, not grown 1, 2, 4, 8 for each of a fleet's meters
        }
        items.append((t, value))
    }
}
