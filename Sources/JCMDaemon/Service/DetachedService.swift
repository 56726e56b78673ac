import ServiceLifecycle
import Synchronization

/// Runs a service in a task of its own and stops it by cancelling that task. For a service whose
/// graceful shutdown starts an unstructured task on Swift's global pool (Hummingbird's server
/// does): whoever blocks that pool (tests do) would keep it, and so the daemon, from ever
/// stopping. The task is detached, so the service sees no graceful shutdown to wait for; it runs
/// on `executor` (nil: the global pool).
struct DetachedService: Service, CustomStringConvertible {
    let service: any Service
    let executor: (any TaskExecutor)?

    var description: String { "\(service)" }

    func run() async throws {
        let service = self.service
        let task = Task.detached(executorPreference: executor) { try await service.run() }
        let stop = Stop(task)
        do {
            try await withTaskCancellationHandler {
                try await withGracefulShutdownHandler {
                    try await task.value
                } onGracefulShutdown: {
                    stop.now()
                }
            } onCancel: {
                stop.now()
            }
        } catch  where stop.asked {
            // Its end, as asked for: not a failure.
        }
    }

    private final class Stop: Sendable {
        let task: Task<Void, any Error>
        private let requested = Atomic<Bool>(false)

        init(_ task: Task<Void, any Error>) { self.task = task }

        var asked: Bool { requested.load(ordering: .relaxed) }

        func now() {
            requested.store(true, ordering: .relaxed)
            task.cancel()
        }
    }
}
