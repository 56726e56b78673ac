import Foundation
import JCMCore
import Prometheus
import Synchronization

/// The per-meter samples of /metrics, labelled {meter="…"}: jcm_meter_up,
/// jcm_meter_last_reading_timestamp_seconds, jcm_meter_calibration_valid_until_seconds,
/// jcm_meter_expected_interval_seconds and jcm_meter_readings_total (the last two let an alert
/// rule compute a polled meter's completeness, deploy/prometheus/jcm-ingestd.rules.yml). The writer updates them
/// as it commits. Each meter's series is made in the registry once (at configure, or at its first
/// reading) and kept here, so an update is one atomic store, not a registry lookup.
public final class MeterGauges: Sendable {
    struct State {
        var polled: Set<String> = []
        var down: Set<String> = []
        var up: [String: Gauge] = [:]
        var lastReading: [String: (micros: Int64, gauge: Gauge)] = [:]
        var calibration: [String: Gauge] = [:]
        var expectedInterval: [String: Gauge] = [:]
        var readings: [String: Counter] = [:]
    }
    private let state = Mutex(State())
    private let registry: PrometheusCollectorRegistry

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    private func gauge(_ name: String, _ meter: String) -> Gauge {
        registry.makeGauge(name: name, labels: [("meter", meter)], help: Metrics.helpText(name))
    }

    /// The configured meters (at start and after each reload): meters no longer configured
    /// lose their gauges; the calibration's end comes from the plan.
    public func configure(_ meters: [Config.Meter]) {
        let ids = Set(meters.map(\.id))
        let polled = Set(meters.filter { $0.poll != nil }.map(\.id))
        var calibration: [String: Double] = [:]
        var expected: [String: Double] = [:]
        for m in meters {
            if let end = m.plan.calibrations.map(\.validUntil).max() {
                calibration[m.id] = Double(end.microseconds) / 1_000_000
            }
            if let ms = m.plan.expectedIntervalMilliseconds { expected[m.id] = Double(ms) / 1_000 }
        }
        state.withLock { s in
            s.polled = polled
            s.down = s.down.intersection(polled)
            for (m, g) in s.up where !polled.contains(m) {
                registry.unregisterGauge(g)
                s.up[m] = nil
            }
            for m in polled where s.up[m] == nil {
                let g = gauge("jcm_meter_up", m)
                g.set(to: s.down.contains(m) ? 0 : 1)
                s.up[m] = g
            }
            for (m, last) in s.lastReading where !ids.contains(m) {
                registry.unregisterGauge(last.gauge)
                s.lastReading[m] = nil
            }
            for (m, c) in s.readings where !polled.contains(m) {
                registry.unregisterCounter(c)
                s.readings[m] = nil
            }
            for m in polled where s.readings[m] == nil {
                s.readings[m] = registry.makeCounter(
                    name: "jcm_meter_readings_total", labels: [("meter", m)],
                    help: Metrics.helpText("jcm_meter_readings_total"))
            }
            s.calibration = replace(s.calibration, with: calibration, "jcm_meter_calibration_valid_until_seconds")
            s.expectedInterval = replace(s.expectedInterval, with: expected, "jcm_meter_expected_interval_seconds")
        }
    }

    /// The gauges of `name` for exactly the meters in `values`, set to them.
    private func replace(_ old: [String: Gauge], with values: [String: Double], _ name: String) -> [String: Gauge] {
        var out: [String: Gauge] = [:]
        for (m, g) in old {
            if values[m] == nil { registry.unregisterGauge(g) } else { out[m] = g }
        }
        for (m, v) in values {
            let g = out[m] ?? gauge(name, m)
            g.set(to: v)
            out[m] = g
        }
        return out
    }

    public func setDown(_ meter: String, _ down: Bool) {
        state.withLock { s in
            if down { s.down.insert(meter) } else { s.down.remove(meter) }
            s.up[meter]?.set(to: down ? 0 : 1)
        }
    }

    /// A reading of `meter` committed at `timestamp`; only a newer one moves the gauge.
    public func reading(_ meter: String, at timestamp: Timestamp) {
        state.withLock { s in
            if let last = s.lastReading[meter] {
                guard last.micros < timestamp.microseconds else { return }
                s.lastReading[meter] = (timestamp.microseconds, last.gauge)
                last.gauge.set(to: Double(timestamp.microseconds) / 1_000_000)
            } else {
                let g = gauge("jcm_meter_last_reading_timestamp_seconds", meter)
                g.set(to: Double(timestamp.microseconds) / 1_000_000)
                s.lastReading[meter] = (timestamp.microseconds, g)
            }
        }
    }

    /// Readings of a polled meter committed (accepted or flagged).
    public func stored(_ meter: String, _ count: Int) {
        state.withLock { s in s.readings[meter]?.increment(by: Int64(count)) }
    }

    /// A label value as Prometheus' text format wants it: backslash, quote and newline escaped.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
