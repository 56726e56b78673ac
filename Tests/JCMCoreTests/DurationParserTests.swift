import Testing

@testable import JCMCore

@Suite struct DurationParserTests {
    @Test(arguments: [
        ("500ms", Int64(500)),
        ("30s", 30_000),
        ("5m", 300_000),
        ("1h", 3_600_000),
        ("1d", 86_400_000),
        ("1h30m", 5_400_000),
        ("1m30s500ms", 90_500),
        ("90s", 90_000),
        ("0s", 0),
        ("0ms", 0),
        ("007s", 7_000),
        ("1d1h1m1s1ms", 90_061_001),
        ("60000ms", 60_000),
        ("9223372036854775807ms", Int64.max),
    ])
    func parses(_ text: String, _ ms: Int64) {
        #expect(DurationParser.milliseconds(text) == ms)
    }

    @Test(arguments: [
        "", "60", "s", "ms", "h1", "1.5s", "-5s", "+5s", "5 s", " 5s", "5s ", "5S", "5M", "5H", "5Ms", "5sec", "5min",
        "1hr", "1w", "1y", "1h30", "1h 30m", "1h,30m", "5mss", "1_000ms", "１s",
        // Overflow of one unit's product is refused, not wrapped.
        "9223372036854775807s", "106751991167301d",
    ])
    func rejects(_ text: String) {
        #expect(DurationParser.milliseconds(text) == nil)
    }

    /// "ms" is milliseconds, not minutes followed by seconds.
    @Test func msIsNotMinutesThenSeconds() {
        #expect(DurationParser.milliseconds("2ms") == 2)
        #expect(DurationParser.milliseconds("2m5s") == 125_000)
    }

    /// Inputs whose number or running total exceed Int64 must give nil (not a duration), never trap: these
    /// strings come straight from the configuration file. Each runs in a child process so that a trap fails
    /// this test instead of killing the whole run.
    @Test func hugeNumberIsNilNotACrash() async {
        await #expect(processExitsWith: .success) {
            // 9223372036854775808 is Int64.max + 1: the digit accumulation itself overflows.
            precondition(DurationParser.milliseconds("9223372036854775808ms") == nil)
        }
    }

    @Test func hugeTotalIsNilNotACrash() async {
        await #expect(processExitsWith: .success) {
            // Each term (5e18 ms) fits in Int64; their sum does not.
            precondition(DurationParser.milliseconds("5000000000000000s5000000000000000s") == nil)
        }
    }
}
