import JCMCore
import Testing

@Suite("meter health")
struct MeterHealthTests {
    @Test func aMeterIsDownAfterThreeFailuresAndThatIsSaidOnce() {
        var h = MeterHealth()
        #expect(h.record(meter: "A", ok: false) == nil)
        #expect(h.record(meter: "A", ok: false) == nil)
        #expect(h.record(meter: "A", ok: false) == .wentDown(failures: 3))
        #expect(h.record(meter: "A", ok: false) == nil, "already down: not said again")
        #expect(h.isDown("A") && h.downCount == 1)
        #expect(h.record(meter: "B", ok: true) == nil)
        #expect(h.record(meter: "A", ok: true) == .recovered(after: 4))
        #expect(h.downCount == 0)
    }

    @Test func aSuccessInBetweenResetsTheCount() {
        var h = MeterHealth()
        _ = h.record(meter: "A", ok: false)
        _ = h.record(meter: "A", ok: false)
        #expect(h.record(meter: "A", ok: true) == nil, "never was down")
        #expect(h.record(meter: "A", ok: false) == nil)
        #expect(!h.isDown("A"))
    }

    @Test func removedMetersAreForgotten() {
        var h = MeterHealth(threshold: 1)
        _ = h.record(meter: "A", ok: false)
        _ = h.record(meter: "B", ok: false)
        h.keep(only: ["B"])
        #expect(h.downCount == 1 && !h.isDown("A"))
    }
}
