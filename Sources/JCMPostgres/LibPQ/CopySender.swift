import Foundation

/// Sends COPY data from a thread of its own. libpq's blocking send waits until the server has
/// read nearly all of it, so on one thread the client and the server take turns (measured: both
/// idle a third of the time); with a few megabytes queued here the next rows are encoded while
/// the server stores these.
///
/// The connection belongs to the sender from the first `send` until `finish` returns: the owner
/// calls nothing else on it in between (libpq allows one thread at a time per connection), and
/// always calls `finish`: the thread holds the sender until then.
final class CopySender: @unchecked Sendable {
    static let maxQueuedBytes = 4 << 20

    private let db: Connection
    private let cond = NSCondition()
    private var queue: [[UInt8]] = []
    private var queuedBytes = 0
    private var closing = false
    private var done = false
    private var failure: Error?

    init(db: Connection) {
        self.db = db
        let thread = Thread { [self] in run() }
        thread.name = "jcm-copy-sender"
        thread.start()
    }

    /// Queues bytes; waits while the queue is full. Throws the first send failure, once the
    /// thread has stopped using the connection.
    func send(_ bytes: [UInt8]) throws {
        cond.lock()
        defer { cond.unlock() }
        while queuedBytes >= Self.maxQueuedBytes, failure == nil { cond.wait() }
        if let failure {
            while !done { cond.wait() }
            throw failure
        }
        queue.append(bytes)
        queuedBytes += bytes.count
        cond.broadcast()
    }

    /// Returns once everything queued was sent and the thread has ended; the connection is the
    /// caller's again.
    func finish() throws {
        cond.lock()
        defer { cond.unlock() }
        closing = true
        cond.broadcast()
        while !done { cond.wait() }
        if let failure { throw failure }
    }

    private func run() {
        while true {
            cond.lock()
            while queue.isEmpty, !closing, failure == nil { cond.wait() }
            if failure != nil || queue.isEmpty {
                done = true
                cond.broadcast()
                cond.unlock()
                return
            }
            let bytes = queue.removeFirst()
            cond.unlock()
            var error: Error?
            do { try db.putCopyData(bytes) } catch let e { error = e }
            cond.lock()
            queuedBytes -= bytes.count
            if let error {
                failure = error
                queue.removeAll()
                queuedBytes = 0
            }
            cond.broadcast()
            cond.unlock()
        }
    }
}
