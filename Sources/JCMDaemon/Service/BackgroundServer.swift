import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs a Hummingbird server (a `Service`) from synchronous code: today's thread-based daemon and
/// `simulate`. `init` returns once the server listens (with its port) or throws why it could
/// not; `stop` cancels it and waits for it to close its socket. Its tasks run on threads of their
/// own (`ThreadTaskExecutor`), so callers may block while it serves. A `ServiceGroup` runs the
/// same services directly and needs none of this.
public final class BackgroundServer: Sendable {
    private final class Start: Sendable {
        let outcome = Mutex<Result<UInt16, any Error>?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let group = Mutex<ServiceGroup?>(nil)

        func finish(_ result: Result<UInt16, any Error>) {
            let first = outcome.withLock { o in
                defer { if o == nil { o = result } }
                return o == nil
            }
            if first { ready.signal() }
        }
    }

    private let task: Task<Void, Never>
    private let start: Start
    private let executor: ThreadTaskExecutor
    /// The bound port (the kernel's choice when 0 was asked for).
    public let port: UInt16

    /// `service` is given the function to call with the bound port once listening; it runs in a
    /// `ServiceGroup` of its own, on `threads` threads, until `stop`.
    public init(
        _ what: String, threads: Int = 2, logger: Logger = Logger(label: "jcm-ingestd"),
        service: @escaping @Sendable (_ onRunning: @escaping @Sendable (UInt16) -> Void) -> any Service
    ) throws(BackgroundServerError) {
        let start = Start()
        let executor = ThreadTaskExecutor(name: "http-server", threads: threads)
        self.executor = executor
        task = Task(executorPreference: executor) {
            do {
                let group = ServiceGroup(
                    configuration: .init(
                        services: [service { port in start.finish(.success(port)) }],
                        logger: MetricsServer.quiet(logger)))
                start.group.withLock { $0 = group }
                try await group.run()
                start.finish(.failure(CancellationError()))
            } catch {
                start.finish(.failure(error))
            }
            start.done.signal()
        }
        self.start = start
        start.ready.wait()
        switch start.outcome.withLock({ $0 }) {
        case .success(let port): self.port = port
        case .failure(let error):
            executor.shutdown()
            throw BackgroundServerError(what: what, reason: "\(error)")
        case nil:
            executor.shutdown()
            throw BackgroundServerError(what: what, reason: "did not start")
        }
    }

    /// Stops serving: a graceful shutdown (answers in progress finish, idle connections close),
    /// cancelled if it takes over 5 s.
    public func stop() {
        if let group = start.group.withLock({ $0 }) {
            Task(executorPreference: executor) { await group.triggerGracefulShutdown() }
        } else {
            task.cancel()
        }
        if start.done.wait(timeout: .now() + 5) == .timedOut {
            task.cancel()
            guard start.done.wait(timeout: .now() + 5) == .success else { return }
        }
        executor.shutdown()
    }
}

/// A server that could not start (the address is in use, not local, not permitted).
public struct BackgroundServerError: Error, Sendable, CustomStringConvertible, LocalizedError {
    public let what: String
    public let reason: String
    public var description: String { "cannot serve \(what): \(reason)" }
    public var errorDescription: String? { description }
}
