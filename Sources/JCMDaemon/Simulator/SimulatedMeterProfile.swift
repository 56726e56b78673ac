/// The fixed behaviour of one simulated meter, derived only from its number so
/// every run (and every test) sees the same fleet without storing 10,000 rows.
struct SimulatedMeterProfile: Sendable, Equatable {
    let number: Int
    /// Constant real power, 1–50 kW in whole watts.
    let powerWatts: Int64
    /// Counter value at the simulator's start, 0–10 MWh, in milli-watt-hours.
    let baseMilliWattHours: Int64

    init(number: Int) {
        self.number = number
        // Two independent draws from one seed so power and base do not correlate.
        let first = Self.splitMix64(UInt64(truncatingIfNeeded: number))
        let second = Self.splitMix64(first)
        powerWatts = 1_000 + Int64(first % 49_001)
        baseMilliWattHours = Int64(second % 10_000_000_000)
    }

    /// Counter after `elapsed` ms at constant power, in integer milli-Wh.
    /// 1 mWh = 3.6 J = 3,600 W·ms, so the count is W·ms / 3600. Integer maths
    /// keeps it exact and monotonic in `elapsed` (floor division never goes back).
    func milliWattHours(afterMilliseconds elapsed: Int64) -> Int64 {
        baseMilliWattHours + powerWatts * max(0, elapsed) / 3_600
    }

    /// SplitMix64 finaliser: a well-mixed, dependency-free deterministic hash.
    private static func splitMix64(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
