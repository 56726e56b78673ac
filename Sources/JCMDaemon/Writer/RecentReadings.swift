import JCMCore

/// The last readings a polled meter had committed, newest last: enough to see that a reading
/// is one already stored (a meter polled faster than it updates, or a history API polled over
/// its last few intervals) without the server refusing it and a whole group being redone.
struct RecentReadings {
    static let capacity = 8
    /// A reading as 32 bytes, not the 48 a (Timestamp, ExactDecimal) pair takes: a fleet keeps
    /// eight per meter, and a group being validated a second copy of its meters'.
    private struct Item {
        var significand: Int128
        var microseconds: Int64
        var scale: Int8

        var value: ExactDecimal { ExactDecimal(significand: significand, scale: Int(scale)) }
    }
    private var items: [Item] = []

    func value(at t: Timestamp) -> ExactDecimal? { items.last { $0.microseconds == t.microseconds }?.value }

    /// The newest of them (jcm_meter_last_reading_timestamp_seconds).
    var newest: Timestamp? {
        items.max { $0.microseconds < $1.microseconds }.map { Timestamp(microseconds: $0.microseconds) }
    }

    mutating func add(_ t: Timestamp, _ value: ExactDecimal) {
        if items.count == Self.capacity {
            items.removeFirst()
        } else if items.isEmpty {
            items.reserveCapacity(Self.capacity)  // once, not grown 1, 2, 4, 8 for each of a fleet's meters
        }
        // scale is 0...ExactDecimal.maxScale (30).
        items.append(Item(significand: value.significand, microseconds: t.microseconds, scale: Int8(value.scale)))
    }
}
