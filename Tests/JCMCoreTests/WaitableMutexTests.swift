import Foundation
import Testing

@testable import JCMCore

/// The one blocking primitive the dedicated threads wait on.
@Suite struct WaitableMutexTests {
    @Test func aWaiterGoesOnOnlyOnceAnUpdateLetsIt() {
        let state = WaitableMutex<[Int]>([])
        let took = WaitableMutex<[Int]?>(nil)
        let thread = Thread {
            let items = state.wait { items -> WaitableMutex<[Int]>.Step<[Int]> in
                items.count >= 3 ? .done(items) : .wait(until: nil)
            }
            took.update { $0 = items }
        }
        thread.start()
        for i in 1...3 {
            Thread.sleep(forTimeInterval: 0.02)
            #expect(took.withLock { $0 } == nil, "still waiting after \(i - 1) items")
            state.update { $0.append(i) }
        }
        let got = took.wait { value -> WaitableMutex<[Int]?>.Step<[Int]> in
            value.map { .done($0) } ?? .wait(until: WaitableMutex<[Int]?>.now() + 5)
        }
        #expect(got == [1, 2, 3])
    }

    @Test func aDeadlineEndsAWaitThatNoUpdateEnds() {
        let state = WaitableMutex(0)
        let start = Date()
        let deadline = WaitableMutex<Int>.now() + 0.2
        var wakes = 0
        state.wait { _ -> WaitableMutex<Int>.Step<Void> in
            wakes += 1
            return WaitableMutex<Int>.now() >= deadline ? .done(()) : .wait(until: deadline)
        }
        let waited = Date().timeIntervalSince(start)
        #expect(waited >= 0.19 && waited < 2, "waited \(waited) s for a 0.2 s deadline")
        #expect(wakes >= 2)
    }

    @Test func producersAndAConsumerLoseNothing() {
        struct Queue: Sendable {
            var items: [Int] = []
            var closed = false
        }
        let queue = WaitableMutex(Queue())
        let producers = (0..<4).map { p in
            Thread {
                for i in 0..<1_000 { queue.update { $0.items.append(p * 1_000 + i) } }
            }
        }
        for t in producers { t.start() }
        var seen = 0
        var sum = 0
        while seen < 4_000 {
            let batch = queue.wait { q -> WaitableMutex<Queue>.Step<[Int]> in
                guard !q.items.isEmpty else { return .wait(until: nil) }
                defer { q.items = [] }
                return .done(q.items)
            }
            seen += batch.count
            sum += batch.reduce(0, +)
        }
        #expect(seen == 4_000)
        #expect(sum == (0..<4_000).reduce(0, +))
    }
}
