import Foundation
import JCMCore

/// Sends COPY data from a thread of its own. libpq's blocking send waits until the server has
/// read nearly all of it, so on one thread the client and the server take turns (measured: both
/// idle a third of the time); with a few megabytes queued here the next rows are encoded while
/// the server stores these.
///
/// The connection belongs to the sender from the first `send` until `finish` returns: the owner
/// calls nothing else on it in between (libpq allows one thread at a time per connection), and
/// always calls `finish`: the thread holds the sender until then.
///
/// `@unchecked Sendable` is sound, as for a C handle's wrapper: the only stored property that is
/// not Sendable is `db`, a libpq connection lent to the sender thread by the contract above (the
/// compiler cannot see a loan that ends at `finish`); the queue both threads touch is a
/// WaitableMutex.
final class CopySender: @unchecked Sendable {
    static let maxQueuedBytes = 4 << 20

    private struct State: Sendable {
        var queue: [[UInt8]] = []
        var queuedBytes = 0
        var closing = false
        var done = false
        var failure: (any Error)?
    }

    private let db: Connection
    private let state = WaitableMutex(State())

    init(db: Connection) {
        self.db = db
        let thread = Thread { [self] in run() }
        thread.name = "jcm-copy-sender"
        thread.start()
    }

    /// Queues bytes; waits while the queue is full. Throws the first send failure, once the
    /// thread has stopped using the connection.
    func send(_ bytes: [UInt8]) throws {
        let failure = state.wait { s -> WaitableMutex<State>.Step<(any Error)?> in
            if let failure = s.failure { return s.done ? .done(failure) : .wait(until: nil) }
            guard s.queuedBytes < Self.maxQueuedBytes else { return .wait(until: nil) }
            s.queue.append(bytes)
            s.queuedBytes += bytes.count
            return .done(nil)
        }
        if let failure { throw failure }
    }

    /// Returns once everything queued was sent and the thread has ended; the connection is the
    /// caller's again.
    func finish() throws {
        state.update { $0.closing = true }
        let failure = state.wait { s -> WaitableMutex<State>.Step<(any Error)?> in
            s.done ? .done(s.failure) : .wait(until: nil)
        }
        if let failure { throw failure }
    }

    private func run() {
        // The next bytes to send, or nil when the thread is done (closing and sent, or failed).
        while let bytes = next() {
            var error: (any Error)?
            do { try db.putCopyData(bytes) } catch let e { error = e }
            state.update { s in
                s.queuedBytes -= bytes.count
                if let error {
                    s.failure = error
                    s.queue.removeAll()
                    s.queuedBytes = 0
                }
            }
        }
    }

    private func next() -> [UInt8]? {
        state.wait { s -> WaitableMutex<State>.Step<[UInt8]?> in
            if s.failure == nil, !s.queue.isEmpty { return .done(s.queue.removeFirst()) }
            if s.failure != nil || s.closing {
                s.done = true
                return .done(nil)
            }
            return .wait(until: nil)
        }
    }
}
