import JCMCore

/// A blocking FIFO between the sources (poller, watcher) and the writer thread. `pop` blocks
/// until a job arrives, so the state is a WaitableMutex rather than a Mutex.
final class JobQueue<Job: Sendable>: Sendable {
    private struct State: Sendable {
        var jobs: [Job] = []
        var head = 0
        var closed = false
    }

    private let state = WaitableMutex(State())

    func push(_ job: Job) {
        state.update { $0.jobs.append(job) }
    }

    /// Next job, waiting for one; nil once closed and drained.
    func pop() -> Job? {
        state.wait { s -> WaitableMutex<State>.Step<Job?> in
            guard s.head < s.jobs.count else { return s.closed ? .done(nil) : .wait(until: nil) }
            let job = s.jobs[s.head]
            s.head += 1
            if s.head > 1024, s.head * 2 > s.jobs.count {
                s.jobs.removeFirst(s.head)
                s.head = 0
            }
            return .done(job)
        }
    }

    /// Puts a job back at the front (retry after a lost connection).
    func pushFront(_ job: Job) {
        state.update { s in
            if s.head > 0 {
                s.head -= 1
                s.jobs[s.head] = job
            } else {
                s.jobs.insert(job, at: 0)
            }
        }
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    var count: Int { state.withLock { $0.jobs.count - $0.head } }

    func close() {
        state.update { $0.closed = true }
    }
}
