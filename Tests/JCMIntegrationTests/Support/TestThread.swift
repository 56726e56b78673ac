import Foundation

/// A part of the daemon run by hand on a thread of its own (the writer, say), with what to wait
/// on for its end: the tests that drive the writer without the whole service group.
enum TestThread {
    static func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            done.signal()
        }
        thread.name = name
        thread.start()
        return done
    }
}
