import Logging

/// How the /metrics server's own events (connections evicted or timed out, accept() failing for
/// want of descriptors) are counted and logged.
enum MetricsEndpoint {
    static func events(metrics: Metrics, logger: Logger) -> @Sendable (MetricsServerEvent) -> Void {
        let throttle = LogThrottle()
        return { event in
            switch event {
            case .acceptFailed(let code):
                let error = OpenFailure.name(code)
                metrics.add("jcm_open_failures_total", ["what": "metrics_accept", "error": "\(error)"])
                if let suppressed = throttle.admit() {
                    logger.error(
                        "/metrics cannot accept a connection; NIO retries in 1 s",
                        metadata: [
                            "error": "\(error)", "errno": "\(code)", "suppressed": "\(suppressed)",
                        ])
                }
            case .evicted:
                metrics.add("jcm_metrics_connections_closed_total", ["reason": "evicted"])
            case .requestTimedOut:
                metrics.add("jcm_metrics_connections_closed_total", ["reason": "request_timeout"])
            case .idleClosed:
                metrics.add("jcm_metrics_connections_closed_total", ["reason": "idle"])
            }
        }
    }

    /// Today's /healthz: the writer's last attempt reached PostgreSQL and no ledger chain is
    /// halted. Read from the metrics until the services report their own state.
    static func health(_ metrics: Metrics) -> MetricsServer.Health {
        if metrics.value("jcm_database_up") != 1 { return .unavailable("database unavailable") }
        let halted = Int(metrics.value("jcm_ledger_chains_halted"))
        return halted == 0
            ? .ok : .unavailable("degraded: \(halted) ledger chains halted (a head this daemon did not write)")
    }
}
