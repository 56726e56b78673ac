import Foundation
import JCMCore

/// A `TaskExecutor` on threads of its own, for the async work a synchronous caller runs
/// (`BlockingBridge`: the daemon, `simulate`, `BackgroundServer`). Swift's cooperative pool has
/// one thread per core, and code that blocks on it (a test waiting on a socket) could otherwise
/// leave that work with no thread to run on. Jobs run in the order they were enqueued, on
/// whichever thread is free.
final class ThreadTaskExecutor: TaskExecutor, Sendable {
    private struct Queue: Sendable {
        var jobs: [UnownedJob] = []
        var head = 0
        var stopped = false
    }
    private let queue = WaitableMutex(Queue())
    private let threads: Int

    init(name: String, threads: Int) {
        self.threads = max(1, threads)
        for _ in 0..<self.threads {
            let thread = Thread { [self] in work() }
            thread.name = name
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.update { $0.jobs.append(job) }
    }

    /// Lets the threads end once the jobs enqueued so far have run.
    func shutdown() {
        queue.update { $0.stopped = true }
    }

    private func work() {
        while true {
            let next = queue.wait { q -> WaitableMutex<Queue>.Step<UnownedJob?> in
                guard q.head < q.jobs.count else { return q.stopped ? .done(nil) : .wait(until: nil) }
                let job = q.jobs[q.head]
                q.head += 1
                if q.head > 1024, q.head * 2 > q.jobs.count {
                    q.jobs.removeFirst(q.head)
                    q.head = 0
                }
                return .done(job)
            }
            guard let job = next else { return }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
