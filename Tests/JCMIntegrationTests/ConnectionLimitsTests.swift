import JCMCurl
import Testing

/// The poller's connections within the open-file limit: a process at EMFILE can open no spool
/// segment nor report, so the poller never asks for more.
@Suite struct ConnectionLimitsTests {
    @Test func limitsThatFitAreKept() {
        let limits = ConnectionLimits(maxConnections: 512, maxConnectionsPerHost: 8)
        #expect(limits.fitting(openFiles: 1_024, reserve: 320) == limits)
        #expect(limits.fitting(openFiles: 832, reserve: 320) == limits)
        #expect(limits.fitting(openFiles: Int.max, reserve: 320) == limits)
    }

    @Test func connectionsAreCutToWhatTheLimitLeaves() {
        let limits = ConnectionLimits(maxConnections: 512, maxConnectionsPerHost: 8)
        #expect(
            limits.fitting(openFiles: 831, reserve: 320)
                == ConnectionLimits(maxConnections: 511, maxConnectionsPerHost: 8))
        #expect(
            limits.fitting(openFiles: 325, reserve: 320)
                == ConnectionLimits(maxConnections: 5, maxConnectionsPerHost: 5))
    }

    @Test func aTinyLimitStillLeavesOneConnection() {
        let limits = ConnectionLimits(maxConnections: 512, maxConnectionsPerHost: 8)
        let one = ConnectionLimits(maxConnections: 1, maxConnectionsPerHost: 1)
        #expect(limits.fitting(openFiles: 320, reserve: 320) == one)
        #expect(limits.fitting(openFiles: 40, reserve: 320) == one)
    }
}
