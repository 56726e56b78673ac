import Foundation
import Synchronization

/// A `TaskExecutor` on threads of its own, for the async servers a thread-based process runs
/// (`BackgroundServer`). Swift's cooperative pool has one thread per core, and code that blocks
/// on it (a test waiting on a socket, a semaphore) could otherwise leave a server with no thread
/// to answer on. Jobs run in the order they were enqueued, on whichever thread is free.
final class ThreadTaskExecutor: TaskExecutor, Sendable {
    private struct Queue {
        var jobs: [UnownedJob] = []
        var head = 0
        var stopped = false
    }
    private let queue = Mutex(Queue())
    private let available = DispatchSemaphore(value: 0)
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
        queue.withLock { $0.jobs.append(job) }
        available.signal()
    }

    /// Lets the threads end once the jobs enqueued so far have run.
    func shutdown() {
        queue.withLock { $0.stopped = true }
        for _ in 0..<threads { available.signal() }
    }

    private func work() {
        while true {
            available.wait()
            let next = queue.withLock { q -> UnownedJob?? in
                guard q.head < q.jobs.count else { return q.stopped ? .some(nil) : nil }
                let job = q.jobs[q.head]
                q.head += 1
                if q.head > 1024, q.head * 2 > q.jobs.count {
                    q.jobs.removeFirst(q.head)
                    q.head = 0
                }
                return job
            }
            switch next {
            case .some(.some(let job)): job.runSynchronously(on: asUnownedTaskExecutor())
            case .some(.none): return
            case .none: continue
            }
        }
    }
}
