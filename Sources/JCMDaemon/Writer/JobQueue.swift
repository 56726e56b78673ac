import Foundation

/// A blocking FIFO between the sources (poller, watcher) and the writer thread.
final class JobQueue<Job>: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var head = 0
    private var closed = false

    func push(_ job: Job) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Next job; nil once closed and drained. `timeout` lets the caller do periodic work.
    func pop(timeout: TimeInterval) -> Job?? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while head == jobs.count {
            if closed { return .some(nil) }
            if !condition.wait(until: deadline) { return nil }
        }
        let job = jobs[head]
        head += 1
        if head > 1024, head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return .some(job)
    }

    /// Puts a job back at the front (retry after a lost connection).
    func pushFront(_ job: Job) {
        condition.lock()
        if head > 0 { head -= 1; jobs[head] = job } else { jobs.insert(job, at: 0) }
        condition.unlock()
    }

    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count - head
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
