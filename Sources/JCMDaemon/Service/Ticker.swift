import Foundation
import Synchronization

/// Calls `tick` every `interval` seconds from a thread of its own until `stop`. Not a task
/// sleeping: a sleeping task wakes through Swift's global pool, which code blocking it (a test
/// waiting on a semaphore, say) could keep from ever waking the daemon's heartbeat or shutdown.
final class Ticker: Sendable {
    private let stopped = Atomic<Bool>(false)

    init(name: String, every interval: Double, _ tick: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            var next = Date() + interval
            while !self.stopped.load(ordering: .relaxed) {
                // Short naps, so a stop is seen within a quarter of a second.
                Thread.sleep(forTimeInterval: min(0.25, max(0, next.timeIntervalSinceNow)))
                if Date() >= next, !self.stopped.load(ordering: .relaxed) {
                    tick()
                    next = Date() + interval
                }
            }
        }
        thread.name = name
        thread.start()
    }

    func stop() { stopped.store(true, ordering: .relaxed) }
}
