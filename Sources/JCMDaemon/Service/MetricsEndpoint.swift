import Foundation
import Logging

/// `/metrics` and `/healthz`: which requests they refuse, and how the server's own events (connections
/// evicted or timed out, accept() failing for want of descriptors) are counted and logged.
enum MetricsEndpoint {
    /// The endpoints are read-only: anything but GET and HEAD is refused rather than answered
    /// with the page. (Bodies never get this far: the server answers 413 to any.)
    static func refuse(_ request: HTTPRequest) -> HTTPResponse? {
        guard request.method != "GET" && request.method != "HEAD" else { return nil }
        var refused = HTTPResponse.text("method not allowed\n", status: 405)
        refused.headers.append(("Allow", "GET, HEAD"))
        return refused
    }

    static func options(metrics: Metrics, logger: Logger) -> HTTPServerOptions {
        let throttle = LogThrottle()
        return .metrics { event in
            switch event {
            case .acceptFailed(let code):
                let error = OpenFailure.name(code)
                metrics.add("jcm_open_failures_total", "what=\"metrics_accept\",error=\"\(error)\"")
                if let suppressed = throttle.admit() {
                    logger.error(
                        "/metrics cannot accept a connection; retrying in 100 ms",
                        metadata: [
                            "error": "\(error)", "errno": "\(code)", "suppressed": "\(suppressed)",
                        ])
                }
            case .evicted:
                metrics.add("jcm_metrics_connections_closed_total", "reason=\"evicted\"")
            case .requestTimedOut:
                metrics.add("jcm_metrics_connections_closed_total", "reason=\"request_timeout\"")
            case .idleClosed:
                metrics.add("jcm_metrics_connections_closed_total", "reason=\"idle\"")
            }
        }
    }
}
