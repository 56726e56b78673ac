import Foundation
import Synchronization

/// Simulated time in whole milliseconds that never runs backwards.
///
/// The injected clock is usually wall time, which NTP can step back; a meter
/// counter that decreased would look like a meter swap to the daemon. Holding
/// the high-water mark keeps every counter and timestamp monotonic.
final class SimulatorClock: Sendable {
    private let source: @Sendable () -> Double
    private let highest = Mutex<Int64>(.min)

    init(_ source: @escaping @Sendable () -> Double) {
        self.source = source
    }

    func milliseconds() -> Int64 {
        let seconds = source()
        return highest.withLock { highest in
            // Nearest, not floor: 0.123 s is stored as 0.12299999… and must still read as 123 ms.
            // A non-finite or absurd reading would trap in Int64(); keep the last good value.
            let millis = seconds * 1000
            if millis.isFinite, abs(millis) < 9.0e15 {
                highest = max(highest, Int64(millis.rounded()))
            }
            return highest == .min ? 0 : highest
        }
    }
}
