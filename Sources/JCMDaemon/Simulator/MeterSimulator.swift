import Foundation
import JCMCore

/// A fleet of fake energy meters behind HTTP, for `jcm-ingestd simulate`, demos,
/// tests and benchmarks.
///
/// Meters are numbered 1...meters. Each has a cumulative energy counter (Wh) that
/// advances in real time at a per-meter constant power (1–50 kW, derived from its
/// number) from a per-meter base value. Values are computed from the injected
/// clock on every request rather than stored, so tests can step time and the
/// simulator holds no per-meter state.
public struct MeterSimulator: Sendable {
    public let meters: Int
    private let startedAtMilliseconds: Int64
    private let clock: SimulatorClock

    public init(meters: Int, startedAt: Double, now: @escaping @Sendable () -> Double) {
        self.meters = max(0, meters)
        let start = startedAt * 1000
        self.startedAtMilliseconds = start.isFinite && abs(start) < 9.0e15 ? Int64(start.rounded()) : 0
        self.clock = SimulatorClock(now)
    }

    /// The wall clock in seconds since the epoch, for `now:` outside tests.
    public static let wallClock: @Sendable () -> Double = { Date().timeIntervalSince1970 }

    /// One meter's state at the current simulated instant.
    public struct Reading: Sendable, Equatable {
        public var meterID: String
        public var timestampMilliseconds: Int64
        public var totalMilliWattHours: Int64
        public var powerWatts: Int64
    }

    /// nil for numbers outside 1...meters.
    public func reading(meter number: Int) -> Reading? {
        guard number >= 1, number <= meters else { return nil }
        let profile = SimulatedMeterProfile(number: number)
        let now = clock.milliseconds()
        return Reading(
            meterID: SimulatorFormatting.meterID(number),
            timestampMilliseconds: now,
            totalMilliWattHours: profile.milliWattHours(afterMilliseconds: now - startedAtMilliseconds),
            powerWatts: profile.powerWatts
        )
    }

    /// An answer, for whichever server carries it (`SimulatorServer`, the tests' fake gateways).
    public struct Answer: Sendable, Equatable {
        public var status: Int
        public var body: String
        public var contentType = "application/json"
        /// The `Allow` header of a 405.
        public var allow: String?

        static func json(_ body: String, status: Int = 200) -> Answer { Answer(status: status, body: body) }
    }

    /// Routes: GET /meters/N, GET /, GET /healthz. HEAD is answered like GET (the
    /// server drops the body); every other method gets 405.
    public func answer(method: String, path: String) -> Answer {
        guard method == "GET" || method == "HEAD" else {
            var answer = Answer.json(#"{"error":"method not allowed"}"#, status: 405)
            answer.allow = "GET, HEAD"
            return answer
        }
        switch path {
        case "/":
            return .json(#"{"meters":\#(meters)}"#)
        case "/healthz":
            return Answer(status: 200, body: "ok", contentType: "text/plain; charset=utf-8")
        default:
            return meterAnswer(path: path)
        }
    }

    private func meterAnswer(path: String) -> Answer {
        let prefix = "/meters/"
        guard path.hasPrefix(prefix) else {
            return .json(#"{"error":"not found"}"#, status: 404)
        }
        let digits = path.dropFirst(prefix.count)
        guard !digits.isEmpty, digits.count <= 9, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let number = Int(digits), let reading = reading(meter: number)
        else {
            // The raw segment is not echoed: it is client input and would need JSON escaping.
            return .json(#"{"error":"unknown meter"}"#, status: 404)
        }
        let json =
            #"{"meter":"\#(reading.meterID)","ts":"\#(Timestamp(microseconds: reading.timestampMilliseconds * 1_000).formatted(fractionDigits: 3))","#
            + #""energy":{"total_wh":\#(SimulatorFormatting.thousandths(reading.totalMilliWattHours))},"#
            + #""power_w":\#(reading.powerWatts).0}"#
        return .json(json)
    }
}
