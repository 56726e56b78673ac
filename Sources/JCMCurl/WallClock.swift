import Foundation
import JCMCore

/// The wall clock the poller schedules by, read without Foundation's Date in the loop.
enum WallClock {
    static func microseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000
    }

    static func milliseconds() -> Int64 { microseconds() / 1_000 }

    static func timestamp() -> Timestamp { Timestamp(microseconds: microseconds()) }
}
