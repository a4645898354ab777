import CoreMetrics
import HavenInference
import Prometheus
import Synchronization

/// One server's metrics: a Prometheus registry it owns, written through swift-metrics' API and
/// rendered in Prometheus' text format at `GET /metrics`.
///
/// There is no process-wide `MetricsSystem.bootstrap`. Every metric is made with this server's
/// own factory (`Counter(label:dimensions:factory:)`), so each server counts only its own
/// requests, several servers in one process (as the tests run them) never share a registry,
/// and bootstrap's once-per-process rule never comes into play. Libraries that write to the
/// global `MetricsSystem` still reach its default no-op backend.
///
/// Counters and histograms are written as things happen (a request answered, a generation
/// finished); gauges are set from a ``MetricsSnapshot`` just before each rendering.
public final class ServerMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    /// Models whose gauges the last rendering set, so a model since unloaded loses its series.
    private let modelsWithGauges = Mutex<Set<String>>([])

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Generations on a CPU take seconds, so both histograms reach further than the default 10 s.
        let seconds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]
        let buckets = seconds.map { Duration.milliseconds(Int64($0 * 1000)) }
        factory.durationHistogramBuckets = [Name.requestDuration: buckets, Name.timeToFirstToken: buckets]
        self.factory = factory
    }

    /// Metric names, as they appear in the exposition.
    enum Name {
        static let requests = "haven_http_requests_total"
        static let requestDuration = "haven_http_request_duration_seconds"
        static let promptTokens = "haven_inference_prompt_tokens_total"
        static let completionTokens = "haven_inference_completion_tokens_total"
        static let generations = "haven_inference_generations_total"
        static let timeToFirstToken = "haven_inference_time_to_first_token_seconds"
        static let prefixCacheHits = "haven_inference_prefix_cache_hits_total"
        static let prefixCacheTokens = "haven_inference_prefix_cache_tokens_total"
        static let queueDepth = "haven_inference_queue_depth"
        static let runningSequences = "haven_inference_running_sequences"
        static let kvCacheTokens = "haven_inference_kv_cache_tokens"
        static let kvCacheCapacity = "haven_inference_kv_cache_capacity_tokens"
        static let storeBytes = "haven_store_bytes"
        static let storeChunks = "haven_store_chunks"
        static let storeFiles = "haven_store_files"
        static let storeVersions = "haven_store_versions"
        static let auditEntries = "haven_audit_entries"
        static let indexPassages = "haven_index_passages"
        static let indexFiles = "haven_index_files"
        static let ledgerEntries = "haven_ledger_entries"
        static let uptime = "haven_uptime_seconds"
        static let authenticationFailures = "haven_authentication_failures_total"
        static let throttledRequests = "haven_authentication_throttled_requests_total"
        static let throttledClients = "haven_authentication_throttled_clients"
    }

    // MARK: HTTP

    /// Counts a request once its response has started (so a client that got its answer finds it
    /// counted at its next scrape).
    func countRequest(_ labels: RequestLabels) {
        CoreMetrics.Counter(label: Name.requests, dimensions: labels.dimensions, factory: factory).increment()
    }

    /// Records how long a request took, to the last byte of its response.
    func recordDuration(_ labels: RequestLabels, _ duration: Duration) {
        CoreMetrics.Timer(label: Name.requestDuration, dimensions: labels.dimensions, factory: factory)
            .recordNanoseconds(Self.nanoseconds(duration))
    }

    // MARK: Authentication

    /// Makes every kind's failure counter, so each series exists (at 0) from the start.
    func prepareAuthenticationCounters() {
        for kind in AuthenticationFailure.Kind.allCases {
            CoreMetrics.Counter(label: Name.authenticationFailures, dimensions: [("kind", kind.rawValue)], factory: factory)
                .increment(by: 0)
        }
        CoreMetrics.Counter(label: Name.throttledRequests, factory: factory).increment(by: 0)
    }

    /// Counts a request refused before authentication.
    func countAuthenticationFailure(_ kind: AuthenticationFailure.Kind) {
        CoreMetrics.Counter(label: Name.authenticationFailures, dimensions: [("kind", kind.rawValue)], factory: factory)
            .increment()
    }

    /// Counts a request answered 429 because its client was throttled.
    func countThrottledRequest() {
        CoreMetrics.Counter(label: Name.throttledRequests, factory: factory).increment()
    }

    // MARK: Inference

    /// What the engines call as each generation finishes.
    var generationObserver: GenerationObserver {
        let factory = factory
        return { report in
            let model = [("model", report.model)]
            let summary = report.summary
            CoreMetrics.Counter(label: Name.promptTokens, dimensions: model, factory: factory)
                .increment(by: summary.promptTokens)
            CoreMetrics.Counter(label: Name.completionTokens, dimensions: model, factory: factory)
                .increment(by: summary.completionTokens)
            CoreMetrics.Counter(
                label: Name.generations, dimensions: model + [("finish_reason", summary.finishReason.rawValue)],
                factory: factory
            ).increment()
            // Made even when zero, so the series exist from a model's first generation on.
            let hits = CoreMetrics.Counter(label: Name.prefixCacheHits, dimensions: model, factory: factory)
            let reused = CoreMetrics.Counter(label: Name.prefixCacheTokens, dimensions: model, factory: factory)
            if summary.cachedPromptTokens > 0 {
                hits.increment()
                reused.increment(by: summary.cachedPromptTokens)
            }
            if let firstToken = report.timeToFirstToken {
                CoreMetrics.Timer(label: Name.timeToFirstToken, dimensions: model, factory: factory)
                    .recordNanoseconds(ServerMetrics.nanoseconds(firstToken))
            }
        }
    }

    // MARK: Rendering

    /// Sets the gauges from `snapshot`, then renders every metric in the Prometheus text
    /// exposition format (version 0.0.4).
    func render(_ snapshot: MetricsSnapshot) -> String {
        gauge(Name.storeBytes).record(snapshot.store.chunkBytes)
        gauge(Name.storeChunks).record(snapshot.store.chunks)
        gauge(Name.storeFiles).record(snapshot.store.files)
        gauge(Name.storeVersions).record(snapshot.store.versions)
        gauge(Name.auditEntries).record(snapshot.auditEntries)
        gauge(Name.indexPassages).record(snapshot.index.passages)
        let index = snapshot.index
        for (state, count) in [("indexed", index.indexed), ("skipped", index.skipped), ("failed", index.failed), ("pending", index.pending)] {
            gauge(Name.indexFiles, [("state", state)]).record(count)
        }
        gauge(Name.ledgerEntries).record(Int64(clamping: snapshot.ledgerEntries))
        gauge(Name.uptime).record(snapshot.uptimeSeconds)
        gauge(Name.throttledClients).record(snapshot.throttledClients)

        let loaded = Set(snapshot.models.map(\.name))
        let gone = modelsWithGauges.withLock { previous in
            defer { previous = loaded }
            return previous.subtracting(loaded)
        }
        for name in gone {
            for label in Self.modelGauges { gauge(label, [("model", name)]).destroy() }
        }
        for model in snapshot.models {
            let labels = [("model", model.name)]
            gauge(Name.queueDepth, labels).record(model.counters.waiting)
            gauge(Name.runningSequences, labels).record(model.counters.running)
            gauge(Name.kvCacheTokens, labels).record(model.counters.kvCacheTokens)
            gauge(Name.kvCacheCapacity, labels).record(model.kvCacheCapacity)
        }
        return registry.emitToString()
    }

    private static let modelGauges = [Name.queueDepth, Name.runningSequences, Name.kvCacheTokens, Name.kvCacheCapacity]

    private func gauge(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: label, dimensions: dimensions, factory: factory)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
