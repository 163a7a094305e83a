import Prometheus

/// The registrar's counters and latency histograms, served at `/metrics` in Prometheus
/// text format (swift-prometheus).
public final class RegistrarMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let requests: Counter
    let errors: [RegistrarError.Code: Counter]
    let pullsModified: Counter
    let pullsNotModified: Counter
    let pullCacheHits: Counter
    let pullCacheReads: Counter
    let enrollments: Counter
    let vpxisCreated: Counter
    let vpxisReleased: Counter
    let renewals: Counter
    let renewalFailures: Counter
    let issueDuration: DurationHistogram
    let renewalDuration: DurationHistogram
    let requestDuration: DurationHistogram

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        func counter(_ name: String, _ help: String, labels: [(String, String)] = []) -> Counter {
            registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "registrar", metricName: name, unitName: "total", helpText: help),
                                 labels: labels)
        }
        func histogram(_ name: String, _ help: String) -> DurationHistogram {
            registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(namespace: "registrar", metricName: name, unitName: "seconds", helpText: help),
                buckets: [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20),
                          .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)])
        }
        requests = counter("http_requests", "HTTP requests answered")
        var errors: [RegistrarError.Code: Counter] = [:]
        for code in RegistrarError.Code.allCases {
            errors[code] = counter("refusals", "requests refused, by error code", labels: [("code", code.rawValue)])
        }
        self.errors = errors
        pullsModified = counter("pulls", "chain and bundle pulls", labels: [("result", "sent")])
        pullsNotModified = counter("pulls", "chain and bundle pulls", labels: [("result", "not_modified")])
        pullCacheHits = counter("pull_etag_checks", "If-None-Match checks, by where the current ETag came from", labels: [("source", "memory")])
        pullCacheReads = counter("pull_etag_checks", "If-None-Match checks, by where the current ETag came from", labels: [("source", "database")])
        enrollments = counter("enrollments", "host enrollments accepted")
        vpxisCreated = counter("vpxis_created", "vpxis created")
        vpxisReleased = counter("vpxis_released", "vpxis released")
        renewals = counter("renewals", "renewal epochs issued")
        renewalFailures = counter("renewal_failures", "renewals that failed (retried at the next tick)")
        issueDuration = histogram("issue_duration", "time to place, sign and record a new vpxi")
        renewalDuration = histogram("renewal_duration", "time from the read of a renewal epoch to its commit (renewals are recorded in batches)")
        requestDuration = histogram("http_request_duration", "time to answer an HTTP request")
    }

    func refused(_ code: RegistrarError.Code) { errors[code]?.increment() }
    func pulled(notModified: Bool) { (notModified ? pullsNotModified : pullsModified).increment() }
    func pullCache(hit: Bool) { (hit ? pullCacheHits : pullCacheReads).increment() }
    func enrolled() { enrollments.increment() }
    func released() { vpxisReleased.increment() }
    func renewalFailed() { renewalFailures.increment() }

    func issued(duration: Duration) {
        vpxisCreated.increment()
        issueDuration.record(duration)
    }

    func renewed(duration: Duration) {
        renewals.increment()
        renewalDuration.record(duration)
    }

    func answered(duration: Duration) {
        requests.increment()
        requestDuration.record(duration)
    }

    /// The exposition text.
    public func text() -> String { registry.emitToString() }
}
