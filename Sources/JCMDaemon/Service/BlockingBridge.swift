import Foundation
import JCMCore

/// Runs async work to its end from synchronous code (the executable's commands, `simulate`,
/// the tests), on threads of its own (`ThreadTaskExecutor`): a caller that blocks Swift's
/// cooperative pool (a test waiting on a socket) cannot leave the work without a thread.
/// `work` is given the executor, for the unstructured tasks it starts (they do not inherit it).
enum BlockingBridge {
    static func run<T: Sendable>(
        _ name: String, threads: Int = 2, _ work: @escaping @Sendable (any TaskExecutor) async throws -> T
    ) throws -> T {
        let executor = ThreadTaskExecutor(name: name, threads: threads)
        defer { executor.shutdown() }
        let outcome = WaitableMutex<Result<T, any Error>?>(nil)
        Task(executorPreference: executor) {
            let result: Result<T, any Error>
            do { result = .success(try await work(executor)) } catch { result = .failure(error) }
            outcome.update { $0 = result }
        }
        return try outcome.wait { $0.map { .done($0) } ?? .wait(until: nil) }.get()
    }
}
