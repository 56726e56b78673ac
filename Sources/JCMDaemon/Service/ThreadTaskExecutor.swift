import Foundation
import JCMCore
@_spi(ExperimentalScheduling) @_spi(ExperimentalCustomExecutors) import _Concurrency

/// A `TaskExecutor` on threads of its own, for the async work a synchronous caller runs
/// (`BlockingBridge`: the daemon, `simulate`, `BackgroundServer`), and the daemon's default
/// executor in place of libdispatch's pool (`DefaultExecutor`). Swift's cooperative pool has
/// one thread per core, and code that blocks on it (a test waiting on a socket) could otherwise
/// leave that work with no thread to run on. Jobs run in the order they were enqueued, on
/// whichever thread is free; a job enqueued with a delay (`Task.sleep`) waits here for its time,
/// on the monotonic clock.
final class ThreadTaskExecutor: TaskExecutor, SchedulingExecutor, Sendable {
    private struct Queue: Sendable {
        var jobs: [UnownedJob] = []
        var head = 0
        /// Jobs waiting for their time, soonest first: few at once (a sleep per task).
        var timed: [(due: UInt64, job: UnownedJob)] = []
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

    func enqueue<C: Clock>(
        _ job: consuming ExecutorJob, after delay: C.Duration, tolerance: C.Duration?, clock: C
    ) {
        guard let delay = delay as? Duration else {
            // A clock of someone else's units: libdispatch's executor keeps its time.
            let platform = PlatformExecutorFactory.defaultExecutor as? any SchedulingExecutor
            platform?.enqueue(job, after: delay, tolerance: tolerance, clock: clock)
            return
        }
        // Held to a century, so the nanoseconds cannot overflow.
        let (seconds, attoseconds) = min(max(delay, .zero), .seconds(3_155_760_000)).components
        let due = Self.monotonicNanoseconds() + UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
        let job = UnownedJob(job)
        queue.update { q in
            let at = q.timed.firstIndex { $0.due > due } ?? q.timed.endIndex
            q.timed.insert((due, job), at: at)
        }
    }

    /// Lets the threads end once the jobs enqueued so far have run (timed ones not yet due are
    /// left: nothing waits for them any more).
    func shutdown() {
        queue.update { $0.stopped = true }
    }

    private func work() {
        while true {
            let next = queue.wait { q -> WaitableMutex<Queue>.Step<UnownedJob?> in
                let now = Self.monotonicNanoseconds()
                while let first = q.timed.first, first.due <= now {
                    q.jobs.append(first.job)
                    q.timed.removeFirst()
                }
                guard q.head < q.jobs.count else {
                    if q.stopped { return .done(nil) }
                    // WaitableMutex's deadlines are wall-clock; the interval is what counts.
                    return .wait(until: q.timed.first.map { WaitableMutex<Queue>.now() + Double($0.due - now) / 1e9 })
                }
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

    private static func monotonicNanoseconds() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }
}
