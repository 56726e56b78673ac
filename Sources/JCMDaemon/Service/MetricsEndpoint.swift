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
}
