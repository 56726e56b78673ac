import Foundation
import Synchronization

/// Runs async work to its end from synchronous code (the executable's commands, `simulate`,
/// the tests), on threads of its own (`ThreadTaskExecutor`): a caller that blocks Swift's
/// cooperative pool (a test waiting on a socket) cannot leave the work without a thread.
/// `work` is given the executor, for the unstructured tasks it starts (they do not inherit it).
/// The one place a thread waits for a task, so the one semaphore outside the C wrappers.
enum BlockingBridge {
    private final class Outcome<T: Sendable>: Sendable {
        let result = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
    }

    static func run<T: Sendable>(
        _ name: String, threads: Int = 2, _ work: @escaping @Sendable (any TaskExecutor) async throws -> T
    ) throws -> T {
        let executor = ThreadTaskExecutor(name: name, threads: threads)
        defer { executor.shutdown() }
        let outcome = Outcome<T>()
        Task(executorPreference: executor) {
            let result: Result<T, any Error>
            do { result = .success(try await work(executor)) } catch { result = .failure(error) }
            outcome.result.withLock { $0 = result }
            outcome.done.signal()
        }
        outcome.done.wait()
        return try outcome.result.withLock { $0! }.get()
    }
}
