import Foundation
import JCMCore
import Logging
import ServiceLifecycle

/// Runs a Hummingbird server (a `Service`) beside synchronous code: `simulate` and the tests'
/// gateways. `init` returns once the server listens (with its port) or throws why it could
/// not; `stop` cancels it and waits for it to close its socket. Its tasks run on threads of their
/// own (`ThreadTaskExecutor`), so callers may block while it serves. A `ServiceGroup` runs the
/// same services directly and needs none of this.
public final class BackgroundServer: Sendable {
    /// How far the server got: its port (or why it could not start), and whether it ended.
    private struct Progress: Sendable {
        var outcome: Result<UInt16, any Error>?
        var ended = false
        var group: ServiceGroup?
    }

    private let task: Task<Void, Never>
    private let progress: WaitableMutex<Progress>
    private let executor: ThreadTaskExecutor
    /// The bound port (the kernel's choice when 0 was asked for).
    public let port: UInt16

    /// `service` is given the function to call with the bound port once listening; it runs in a
    /// `ServiceGroup` of its own, on `threads` threads, until `stop`.
    public init(
        _ what: String, threads: Int = 2, logger: Logger = Logger(label: "jcm-ingestd"),
        service: @escaping @Sendable (_ onRunning: @escaping @Sendable (UInt16) -> Void) -> any Service
    ) throws(BackgroundServerError) {
        let progress = WaitableMutex(Progress())
        let finish: @Sendable (Result<UInt16, any Error>) -> Void = { result in
            progress.update { p in if p.outcome == nil { p.outcome = result } }
        }
        let executor = ThreadTaskExecutor(name: "http-server", threads: threads)
        self.executor = executor
        task = Task(executorPreference: executor) {
            do {
                let group = ServiceGroup(
                    configuration: .init(
                        services: [service { port in finish(.success(port)) }],
                        logger: MetricsServer.quiet(logger)))
                progress.update { $0.group = group }
                try await group.run()
                finish(.failure(CancellationError()))
            } catch {
                finish(.failure(error))
            }
            progress.update { $0.ended = true }
        }
        self.progress = progress
        switch progress.wait({ p in p.outcome.map { .done($0) } ?? .wait(until: nil) }) {
        case .success(let port): self.port = port
        case .failure(let error):
            executor.shutdown()
            throw BackgroundServerError(what: what, reason: "\(error)")
        }
    }

    /// Stops serving: a graceful shutdown (answers in progress finish, idle connections close),
    /// cancelled if it takes over 5 s.
    public func stop() {
        if let group = progress.withLock({ $0.group }) {
            Task(executorPreference: executor) { await group.triggerGracefulShutdown() }
        } else {
            task.cancel()
        }
        if !ended(within: 5) {
            task.cancel()
            guard ended(within: 5) else { return }
        }
        executor.shutdown()
    }

    private func ended(within seconds: Double) -> Bool {
        let deadline = WaitableMutex<Progress>.now() + seconds
        return progress.wait { p in
            p.ended || WaitableMutex<Progress>.now() >= deadline ? .done(p.ended) : .wait(until: deadline)
        }
    }
}

/// A server that could not start (the address is in use, not local, not permitted).
public struct BackgroundServerError: Error, Sendable, CustomStringConvertible, LocalizedError {
    public let what: String
    public let reason: String
    public var description: String { "cannot serve \(what): \(reason)" }
    public var errorDescription: String? { description }
}
