import Foundation
import JCMCore
import Synchronization

/// The per-meter samples of /metrics, labelled {meter="…"}: jcm_meter_up,
/// jcm_meter_last_reading_timestamp_seconds, jcm_meter_calibration_valid_until_seconds,
/// jcm_meter_expected_interval_seconds and jcm_meter_readings_total (the last two let an alert
/// rule compute a polled meter's completeness, deploy/prometheus/jcm-ingestd.rules.yml). The writer updates them
/// as it commits; the HTTP server's thread reads them at scrape time.
public final class MeterGauges: Sendable {
    struct State {
        var polled: Set<String> = []
        var down: Set<String> = []
        var lastReading: [String: Int64] = [:]
        var calibration: [String: Int64] = [:]
        var expectedInterval: [String: Int64] = [:]
        var readings: [String: Int] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    /// The configured meters (at start and after each reload): meters no longer configured
    /// lose their gauges; the calibration's end comes from the plan.
    public func configure(_ meters: [Config.Meter]) {
        let ids = Set(meters.map(\.id))
        state.withLock { s in
            s.polled = Set(meters.filter { $0.poll != nil }.map(\.id))
            s.down = s.down.intersection(s.polled)
            s.lastReading = s.lastReading.filter { ids.contains($0.key) }
            s.readings = s.readings.filter { s.polled.contains($0.key) }
            s.calibration = [:]
            s.expectedInterval = [:]
            for m in meters {
                if let end = m.plan.calibrations.map(\.validUntil).max() { s.calibration[m.id] = end.microseconds }
                if let ms = m.plan.expectedIntervalMilliseconds { s.expectedInterval[m.id] = ms }
                if m.poll != nil, s.readings[m.id] == nil { s.readings[m.id] = 0 }
            }
        }
    }

    public func setDown(_ meter: String, _ down: Bool) {
        state.withLock { s in if down { s.down.insert(meter) } else { s.down.remove(meter) } }
    }

    /// A reading of `meter` committed at `timestamp`; only a newer one moves the gauge.
    public func reading(_ meter: String, at timestamp: Timestamp) {
        state.withLock { s in
            if s.lastReading[meter].map({ $0 < timestamp.microseconds }) ?? true {
                s.lastReading[meter] = timestamp.microseconds
            }
        }
    }

    /// Readings of a polled meter committed (accepted or flagged).
    public func stored(_ meter: String, _ count: Int) {
        state.withLock { s in s.readings[meter, default: 0] += count }
    }

    /// The samples, keyed as Metrics renders them.
    public func samples() -> [String: Double] {
        state.withLock { s in
            var out: [String: Double] = [:]
            func key(_ name: String, _ meter: String) -> String { "\(name){meter=\"\(Self.escape(meter))\"}" }
            for m in s.polled { out[key("jcm_meter_up", m)] = s.down.contains(m) ? 0 : 1 }
            for (m, t) in s.lastReading {
                out[key("jcm_meter_last_reading_timestamp_seconds", m)] = Double(t) / 1_000_000
            }
            for (m, t) in s.calibration {
                out[key("jcm_meter_calibration_valid_until_seconds", m)] = Double(t) / 1_000_000
            }
            for (m, ms) in s.expectedInterval {
                out[key("jcm_meter_expected_interval_seconds", m)] = Double(ms) / 1_000
            }
            for (m, n) in s.readings { out[key("jcm_meter_readings_total", m)] = Double(n) }
            return out
        }
    }

    /// A label value as Prometheus' text format wants it: backslash, quote and newline escaped.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
