import AsyncHTTPClient
import Foundation
import HavenInference
import Synchronization

/// The models served by configured upstreams, and which upstreams serve each. Several may
/// serve one model: a request goes to the first one in good health, and to the next when it
/// cannot be reached, times out, fails or is busy before answering. An upstream that failed is
/// tried last for `cooldown`, unless a health probe finds it answering again.
final class UpstreamModels: Sendable {
    let endpoints: [UpstreamEndpoint]
    /// Model name → the upstreams serving it, in configuration order.
    private let byModel: [String: [UpstreamEndpoint]]
    /// Upstream name → until when it is tried last.
    private let downUntil = Mutex<[String: ContinuousClock.Instant]>([:])
    let cooldown: Duration

    /// The configured upstreams, each with its key read from its file.
    ///
    /// - Throws: ``ConfigurationError`` for a key file that is missing, empty or readable by others.
    convenience init(configuration: [UpstreamConfiguration], http: HTTPClient, cooldown: Duration = .seconds(30)) throws(ConfigurationError) {
        var endpoints: [UpstreamEndpoint] = []
        for upstream in configuration {
            endpoints.append(UpstreamEndpoint(configuration: upstream, key: try upstream.loadKey(), http: http))
        }
        self.init(endpoints: endpoints, cooldown: cooldown)
    }

    init(endpoints: [UpstreamEndpoint], cooldown: Duration = .seconds(30)) {
        self.endpoints = endpoints
        var byModel: [String: [UpstreamEndpoint]] = [:]
        for endpoint in endpoints {
            for model in endpoint.configuration.models { byModel[model, default: []].append(endpoint) }
        }
        self.byModel = byModel
        self.cooldown = cooldown
    }

    /// The model names upstreams serve, sorted.
    var modelNames: [String] { byModel.keys.sorted() }

    /// The names of the upstreams serving `model`; empty for a model no upstream serves.
    func upstreams(serving model: String) -> [String] {
        byModel[model]?.map(\.name) ?? []
    }

    /// `model`'s upstreams, those in good health first (each group in configuration order).
    func candidates(for model: String) -> [UpstreamEndpoint] {
        let all = byModel[model] ?? []
        let now = ContinuousClock.now
        let down = downUntil.withLock { $0 }
        let healthy = all.filter { (down[$0.name] ?? now) <= now }
        return healthy + all.filter { (down[$0.name] ?? now) > now }
    }

    func markDown(_ name: String) {
        let until = ContinuousClock.now + cooldown
        downUntil.withLock { $0[name] = until }
    }

    func markUp(_ name: String) {
        _ = downUntil.withLock { $0.removeValue(forKey: name) }
    }

    /// Whether `name` is in its cooldown after a failure.
    func isDown(_ name: String) -> Bool {
        let now = ContinuousClock.now
        return downUntil.withLock { ($0[name] ?? now) > now }
    }

    /// Runs `attempt` on `model`'s upstreams in turn until one answers. A refusal of the
    /// request itself (a 4xx other than 429) is not retried elsewhere: it would be refused again.
    func firstAnswer<Value: Sendable>(
        model: String, _ attempt: (UpstreamEndpoint) async throws -> Value
    ) async throws -> Value {
        let candidates = candidates(for: model)
        guard !candidates.isEmpty else { throw InferenceError.modelNotFound(model) }
        var failures: [UpstreamError] = []
        for endpoint in candidates {
            try Task.checkCancellation()
            do {
                let value = try await attempt(endpoint)
                markUp(endpoint.name)
                return value
            } catch let error as UpstreamError where error.triesNext {
                markDown(endpoint.name)
                failures.append(error)
            }
        }
        if candidates.count == 1 { throw failures[0] }
        // Busy everywhere: Haven is busy too, for the shortest wait any of them asked.
        let waits = failures.compactMap { failure -> Int? in
            if case .rateLimited(_, let seconds) = failure { return seconds } else { return nil }
        }
        if waits.count == failures.count, let shortest = waits.min() {
            throw UpstreamError.rateLimited(upstream: candidates.map(\.name).joined(separator: ", "), retryAfter: shortest)
        }
        throw UpstreamError.allFailed(model: model, last: failures.last!.description)
    }

    /// Probes every upstream in its cooldown, ending the cooldown of those that answer.
    func probe() async {
        for endpoint in endpoints where isDown(endpoint.name) {
            if await endpoint.isHealthy() { markUp(endpoint.name) }
        }
    }
}
