#if canImport(Glibc)
    import Glibc
#endif

/// State shared between threads behind one lock, with a way for a thread to block until the
/// state lets it go on (work arrived, room freed, a deadline passed).
///
/// It is `Mutex<State>` plus a condition variable, which the Synchronization module does not
/// have. It exists for the dedicated threads that block on C (libpq's COPY, libcurl's easy
/// transfers, inotify) and wait for work between their calls: the writer's job queue, the poll
/// intake, the COPY sender, the upload poller and the backfiller. Everything else uses `Mutex`.
///
/// A waiter says when it may go on by returning `.done` from its body, else `.wait(until:)`; the
/// body runs again, under the lock, after every change made through `update` and at the
/// deadline. So no wake-up is lost and no caller handles spurious ones. Deadlines are wall-clock
/// times (what the callers' schedules use), turned into an interval when the wait starts and
/// waited out on the monotonic clock: a clock step moves no wait, and the body reads the clock
/// again when it wakes.
///
/// `@unchecked Sendable` is sound: `state` is read and written only between
/// `pthread_mutex_lock` and `pthread_mutex_unlock` of `mutex` (every path below), the mutex and
/// condition live at fixed addresses allocated here and freed in `deinit`, and `State` is
/// `Sendable`, so what a body returns may cross threads too.
public final class WaitableMutex<State: Sendable>: @unchecked Sendable {
    /// What a waiter's body decides, under the lock.
    public enum Step<Result> {
        /// Go on with this result.
        case done(Result)
        /// Block until the state changes through `update`, or until the deadline (nil: none).
        case wait(until: Instant?)
    }

    /// A wall-clock time, in seconds since 1970 (as `Date.timeIntervalSince1970`).
    public typealias Instant = Double

    private var state: State
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init(_ initial: State) {
        state = initial
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Reads or changes the state without waking waiters: for changes no waiter waits for.
    public func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }

    /// Changes the state and wakes every waiter, whose bodies then look at it again.
    public func update<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return try body(&state)
    }

    /// Runs `body` under the lock until it returns `.done`, blocking in between as it says.
    /// Whatever the body changed before `.done` wakes the other waiters, as `update` does.
    public func wait<Result>(_ body: (inout State) throws -> Step<Result>) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        while true {
            switch try body(&state) {
            case .done(let result): return result
            case .wait(until: nil): pthread_cond_wait(condition, mutex)
            case .wait(until: let deadline?): wait(seconds: deadline - Self.now())
            }
        }
    }

    /// The wall clock, as `Step.wait(until:)` reads it.
    public static func now() -> Instant {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Waits at most `seconds` (with the mutex held on entry and on return).
    private func wait(seconds: Double) {
        guard seconds > 0 else { return }
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        // Capped at a day: the body runs again then, and an absurd deadline cannot overflow.
        let nanoseconds = Int(min(seconds, 86_400) * 1e9) + t.tv_nsec
        t.tv_sec += nanoseconds / 1_000_000_000
        t.tv_nsec = nanoseconds % 1_000_000_000
        pthread_cond_timedwait(condition, mutex, &t)
    }
}
