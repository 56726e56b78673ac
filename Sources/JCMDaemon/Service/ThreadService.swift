import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A `Service` whose work blocks (libcurl's multi loop, libpq, inotify, a queue's wait) and so
/// runs on a thread of its own. `run()` awaits that thread without holding one of the
/// cooperative pool's (one per core), and a graceful shutdown or a cancellation calls `stop`,
/// which must make `body` return.
struct ThreadService: Service, CustomStringConvertible {
    let name: String
    let body: @Sendable () throws -> Void
    let stop: @Sendable () -> Void
    /// After `stop`, how long `body` may take before the service goes on without it (nil: as long
    /// as it takes). For work whose stop cannot cut a request short.
    var giveUpAfter: Duration?
    var onGiveUp: @Sendable () -> Void = {}

    var description: String { name }

    func run() async throws {
        let outcome = Outcome()
        let (stop, giveUpAfter, onGiveUp) = (self.stop, self.giveUpAfter, self.onGiveUp)
        let stopping: @Sendable () -> Void = {
            stop()
            guard let giveUpAfter else { return }
            // A thread, not a task or a dispatch queue: whoever blocks Swift's global pool must not
            // delay the give-up.
            let (seconds, attoseconds) = giveUpAfter.components
            let after = Double(seconds) + Double(attoseconds) / 1e18
            Self.spawn("give-up") {
                Thread.sleep(forTimeInterval: after)
                if outcome.finish(.success(())) { onGiveUp() }
            }
        }
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await withCheckedThrowingContinuation { continuation in
                    outcome.start(continuation)
                    Self.spawn(name) {
                        let result = Result { try body() }
                        _ = outcome.finish(result)
                    }
                }
            } onGracefulShutdown: {
                stopping()
            }
        } onCancel: {
            stopping()
        }
    }

    /// Runs blocking work (a database connection, reading a file) on a thread of its own and
    /// awaits it, for async code that must not block a thread of the cooperative pool.
    static func offPool<T: Sendable>(_ name: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            spawn(name) { continuation.resume(with: Result { try work() }) }
        }
    }

    static func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            // Named for the kernel too: top -H and /proc/PID/task show which part spends the CPU.
            Thread.current.name = name
            body()
        }
        thread.name = name
        thread.start()
    }

    /// The thread's end or the give-up, whichever comes first, resumes `run()` once.
    private final class Outcome: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Void, any Error>?
            var result: Result<Void, any Error>?
        }
        private let state = Mutex(State())

        func start(_ continuation: CheckedContinuation<Void, any Error>) {
            let early = state.withLock { s -> Result<Void, any Error>? in
                if s.result == nil { s.continuation = continuation }
                return s.result
            }
            if let early { continuation.resume(with: early) }
        }

        /// False when the outcome was already decided.
        func finish(_ result: Result<Void, any Error>) -> Bool {
            let (first, continuation) = state.withLock { s in
                guard s.result == nil else { return (false, CheckedContinuation<Void, any Error>?.none) }
                s.result = result
                defer { s.continuation = nil }
                return (true, s.continuation)
            }
            continuation?.resume(with: result)
            return first
        }
    }
}
