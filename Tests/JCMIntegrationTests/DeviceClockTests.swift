import Foundation
import JCMCore
import JCMDaemon
import Testing

/// A gateway whose clock was never set answers with epoch 0 as its time: through the daemon, the
/// reading takes the poll's time and is flagged, never stored as a 1970 reading.
@Suite("device clocks")
struct DeviceClockTests {
    @Test func anEpochZeroDeviceTimeTakesThePollTime() throws {
        let counter = NSLock()
        nonisolated(unsafe) var wh = 1_000
        let server = try HTTPServer(host: "127.0.0.1", port: 0) { _ in
            let value = counter.withLock {
                wh += 10
                return wh
            }
            return HTTPResponse.json(#"{"ts": 0, "wh": \#(value)}"#)
        }
        server.start()
        defer { server.stop() }
        let conninfo = try TestCluster.freshDatabase()
        let config = try Config.parse(
            PolledGateways.header() + PolledGateways.meter("UNSET", "http://127.0.0.1:\(server.port)/"))
        let started = Timestamp(date: Date())
        let reached = PolledGateways.run(config, conninfo) {
            try scalar(conninfo, "select count(*) from jcm.readings") ?? "0" >= "2"
        }
        let refused = try rows(conninfo, "select reason, detail from jcm.rejections limit 3")
        #expect(reached, "\(refused)")
        let stored = try rows(
            conninfo,
            "select (extract(epoch from ts) * 1000000)::bigint, array_to_string(reasons, ',') from jcm.readings")
        #expect(!stored.isEmpty)
        for r in stored {
            #expect((r[0].flatMap { Int64($0) } ?? 0) >= started.microseconds)
            #expect(r[1] == "device_clock_invalid")
        }
    }
}
