import Foundation
import Prometheus
import Synchronization

/// A metric's labels as name/value pairs, rendered in the order given: `["result": "ok"]`.
public typealias MetricLabels = KeyValuePairs<String, String>

/// The daemon's counters and gauges, served in Prometheus' text format on `/metrics`: a thin
/// facade over swift-prometheus' registry that keeps call sites to one line and gives every
/// name its HELP text. Sources and the writer count; nothing here does I/O.
public final class Metrics: Sendable {
    /// The registry /metrics renders; `factory` puts swift-metrics' API on it.
    public let registry = PrometheusCollectorRegistry()
    /// Gauges read at scrape time (the writer's backlog, the spool).
    private let readers = Mutex<[String: @Sendable () -> Double]>([:])
    /// The last value `set` for each unlabelled gauge: the registry's values cannot be read
    /// back, and the daemon's status line and /healthz read these.
    private let values = Mutex<[String: Double]>([:])
    /// The per-meter gauges (jcm_meter_*{meter="…"}).
    public let meters: MeterGauges

    public init() { meters = MeterGauges(registry: registry) }

    /// swift-metrics' factory over the same registry, for the executable to bootstrap
    /// `MetricsSystem` with: whatever counts through swift-metrics then shows on /metrics too.
    public var factory: PrometheusMetricsFactory { PrometheusMetricsFactory(registry: registry) }

    public func add(_ name: String, _ labels: MetricLabels = [:], _ value: Double = 1) {
        let counter = registry.makeCounter(name: name, labels: Self.pairs(labels), help: Self.helpText(name))
        // Whole numbers stay integers, so counts render as `12`, not `12.0`.
        if value == value.rounded(), abs(value) < 1e15 {
            counter.increment(by: Int64(value))
        } else {
            counter.increment(by: value)
        }
    }

    public func set(_ name: String, _ value: Double) {
        registry.makeGauge(name: name, help: Self.helpText(name)).set(to: value)
        values.withLock { $0[name] = value }
    }

    /// A value read at scrape time (the writer's backlog).
    public func gauge(_ name: String, _ read: @escaping @Sendable () -> Double) {
        readers.withLock { $0[name] = read }
    }

    /// The current value of a sample: a gauge set here or read at scrape time directly, any
    /// other (a counter, a labelled sample) from the rendered page. For status and tests.
    public func value(_ name: String, _ labels: MetricLabels = [:]) -> Double {
        if labels.isEmpty {
            if let read = readers.withLock({ $0[name] }) { return read() }
            if let set = values.withLock({ $0[name] }) { return set }
        }
        var sample = name
        if !labels.isEmpty {
            sample += "{" + labels.map { "\($0.key)=\"\(MeterGauges.escape($0.value))\"" }.joined(separator: ",") + "}"
        }
        sample += " "
        for line in render().split(separator: "\n") where line.hasPrefix(sample) {
            return Double(line.dropFirst(sample.count)) ?? 0
        }
        return 0
    }

    static func pairs(_ labels: MetricLabels) -> [(String, String)] { labels.map { ($0.key, $0.value) } }

    static func helpText(_ name: String) -> String { help[name]?.text ?? "" }

    static let help: [String: (type: String, text: String)] = [
        "jcm_polls_total": (
            "counter",
            "Meter polls by result (ok: a reading came back; not_modified: HTTP 304, no new data; failed: transport, HTTP status or payload; paused: skipped while the spool is nearly full)."
        ),
        "jcm_meters_down": ("gauge", "Meters whose last 3 polls or more all failed."),
        "jcm_readings_total": ("counter", "Readings written, by verdict (accepted, flagged, rejected, duplicate)."),
        "jcm_reports_total": ("counter", "Report files handled, by outcome (processed, rejected, duplicate, refused)."),
        "jcm_write_seconds_sum": ("counter", "Time spent writing jobs to PostgreSQL, by kind."),
        "jcm_write_seconds_count": ("counter", "Jobs written to PostgreSQL, by kind."),
        "jcm_database_up": ("gauge", "1 when the writer's last attempt reached PostgreSQL, else 0."),
        "jcm_last_commit_timestamp_seconds": ("gauge", "Unix time of the last committed write."),
        "jcm_writer_backlog": ("gauge", "Jobs handed to the writer and not yet written."),
        "jcm_spool_bytes": ("gauge", "Bytes of polls in the on-disk spool not yet committed to PostgreSQL."),
        "jcm_spool_age_seconds": (
            "gauge",
            "Seconds since the spool was last empty: at least the age of its oldest uncommitted poll (0 when none waits)."
        ),
        "jcm_ledger_chains_halted": (
            "gauge",
            "Ledger chains this daemon stopped writing: their head is a link it did not write (docs/verification.md)."
        ),
        "jcm_ledger_halts_total": ("counter", "Times a ledger chain was halted on a head this daemon did not write."),
        "jcm_polling_paused": ("gauge", "1 while polling is paused because the spool is nearly full, else 0."),
        "jcm_meter_up": (
            "gauge",
            "1 while a polled meter answers, 0 once its last 3 polls or more all failed (report-fed meters have none)."
        ),
        "jcm_meter_last_reading_timestamp_seconds": (
            "gauge", "Unix time of the newest reading stored for the meter (polled or report-fed)."
        ),
        "jcm_meter_calibration_valid_until_seconds": (
            "gauge",
            "Unix time the meter's certificate that ends last stops covering it (the plan's valid_until, exclusive)."
        ),
        "jcm_meter_expected_interval_seconds": (
            "gauge", "The meter's expected interval between readings (expected_interval, else its poll interval)."
        ),
        "jcm_meter_readings_total": (
            "counter",
            "Readings of a polled meter stored (accepted or flagged) by this process; with the expected interval, its completeness."
        ),
        "jcm_backfill_requests_total": (
            "counter",
            "History requests made to fill a meter's gap, by result (ok: HTTP 200 and read; failed: transport, status or payload)."
        ),
        "jcm_backfill_readings_total": (
            "counter", "Readings stored from gateway history (accepted or flagged), not counting rows already stored."
        ),
        "jcm_upload_listings_total": (
            "counter",
            "Listings of [[upload]] sources, by result (ok; failed: transport, HTTP status, malformed listing, or the database unreadable at the start of a round)."
        ),
        "jcm_upload_downloads_total": (
            "counter",
            "Files downloaded from [[upload]] sources, by result (ok; not_modified: HTTP 304; too_large: cut off at max_file_bytes; changing: size differs from the listing; failed; refused_name: a listed name with control characters)."
        ),
        "jcm_open_failures_total": (
            "counter",
            "Descriptors the daemon could not open, by what (metrics_accept, spool_read, report_open, errors_file) and error (EMFILE: the open-file limit is reached)."
        ),
        "jcm_metrics_connections_closed_total": (
            "counter",
            "Connections to /metrics closed by the daemon, by reason (evicted: 64 were open; request_timeout: no whole request in 10 s; idle: silent for 15 s)."
        ),
    ]

    public func render() -> String {
        for (name, read) in readers.withLock({ $0 }) {
            registry.makeGauge(name: name, help: Self.helpText(name)).set(to: read())
        }
        return registry.emitToString()
    }
}
