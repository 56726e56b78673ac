import Testing

@testable import JCMCore

@Suite struct TransferGateTests {
    @Test func perHostAndTotalCapsHoldAndWaitingPollsStartInOrder() {
        // Meters 0-5 on host 0, 6-7 on host 1.
        var g = TransferGate(hostOf: [0, 0, 0, 0, 0, 0, 1, 1], maxTotal: 3, maxPerHost: 2)
        let first = g.request(0)
        let second = g.request(1)
        let third = g.request(2)
        let otherHost = g.request(6)
        let overTotal = g.request(7)
        let fourth = g.request(3)
        #expect(first && second)
        #expect(!third, "host 0 has 2 running")
        #expect(otherHost, "host 1 is free and the total is 2 of 3")
        #expect(!overTotal, "the total is 3 of 3")
        #expect(!fourth)
        #expect(g.nextAdmitted() == nil)
        g.finished(6)
        #expect(g.nextAdmitted() == 7, "host 0 is at its cap; host 1's waiting poll goes")
        #expect(g.nextAdmitted() == nil)
        g.finished(0)
        #expect(g.nextAdmitted() == 2, "first come, first served within a host")
        g.finished(1)
        #expect(g.nextAdmitted() == 3)
        #expect(g.running == 3 && g.waiting == 0)
    }

    @Test func aMultiplexingHostTakesMoreThanItsConnections() {
        var g = TransferGate(hostOf: Array(repeating: 0, count: 50), maxTotal: 40, maxPerHost: 2)
        let started0 = (0..<50).filter { g.request($0) }.count
        #expect(started0 == 2)
        g.multiplexes(0)
        var started = 0
        while g.nextAdmitted() != nil { started += 1 }
        #expect(started == 38, "now only the total bounds it")
        #expect(g.waiting == 10)
    }

    /// Random arrivals and completions over many hosts: the caps always hold, no poll is lost or
    /// started twice, within a host polls start in arrival order, and nothing waits while it
    /// could start.
    @Test func neverExceedsTheCapsAndNeverStallsOverManyTurns() {
        var rng = SplitMix64(seed: 5)
        let meters = 600
        let hostCount = 20
        let maxTotal = 25
        let maxPerHost = 3
        let hostOf = (0..<meters).map { _ in Int(rng.next() % UInt64(hostCount)) }
        var g = TransferGate(hostOf: hostOf, maxTotal: maxTotal, maxPerHost: maxPerHost)
        var running: Set<Int> = []
        var waitingByHost = [[Int]](repeating: [], count: hostCount)
        var idle = Set(0..<meters)
        for _ in 0..<20_000 {
            if rng.next() % 2 == 0, let m = idle.randomElement(using: &rng) {
                idle.remove(m)
                if g.request(m) { running.insert(m) } else { waitingByHost[hostOf[m]].append(m) }
            } else if let m = running.randomElement(using: &rng) {
                running.remove(m)
                idle.insert(m)
                g.finished(m)
            }
            while let m = g.nextAdmitted() {
                #expect(waitingByHost[hostOf[m]].first == m, "in arrival order within its host")
                waitingByHost[hostOf[m]].removeFirst()
                running.insert(m)
            }
            #expect(running.count == g.running && running.count <= maxTotal)
            let perHost = Dictionary(grouping: running, by: { hostOf[$0] }).mapValues(\.count)
            #expect(perHost.values.allSatisfy { $0 <= maxPerHost })
            // Stalled: a host with waiting polls, below its cap, while the total has room.
            if running.count < maxTotal {
                for h in 0..<hostCount where !waitingByHost[h].isEmpty { #expect(perHost[h, default: 0] == maxPerHost) }
            }
        }
        #expect(g.waiting == waitingByHost.map(\.count).reduce(0, +))
    }

    @Test func aFIFOKeepsOrderAcrossCompactions() {
        var q = IndexFIFO()
        var model: [Int] = []
        var rng = SplitMix64(seed: 3)
        var next = 0
        for _ in 0..<20_000 {
            if rng.next() % 3 != 0 || model.isEmpty {
                for _ in 0..<Int(rng.next() % 3) {
                    q.append(next)
                    model.append(next)
                    next += 1
                }
            } else {
                #expect(q.popFirst() == model.removeFirst())
            }
            #expect(q.count == model.count)
        }
        while let i = q.popFirst() { #expect(i == model.removeFirst()) }
        #expect(model.isEmpty && q.isEmpty)
    }
}
