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
    /// The longest a request waits for a busy upstream (429) before Haven answers 429 itself.
    let queueWait: Duration

    /// The configured upstreams, each with its key read from its file.
    ///
    /// - Throws: ``ConfigurationError`` for a key file that is missing, empty or readable by others.
    convenience init(
        configuration: [UpstreamConfiguration], http: HTTPClient, cooldown: Duration = .seconds(30),
        queueWait: Duration = .seconds(5)
    ) throws(ConfigurationError) {
        var endpoints: [UpstreamEndpoint] = []
        for upstream in configuration {
            endpoints.append(UpstreamEndpoint(configuration: upstream, key: try upstream.loadKey(), http: http))
        }
        self.init(endpoints: endpoints, cooldown: cooldown, queueWait: queueWait)
    }

    init(endpoints: [UpstreamEndpoint], cooldown: Duration = .seconds(30), queueWait: Duration = .seconds(5)) {
        self.endpoints = endpoints
        var byModel: [String: [UpstreamEndpoint]] = [:]
        for endpoint in endpoints {
            for model in endpoint.configuration.models { byModel[model, default: []].append(endpoint) }
        }
        self.byModel = byModel
        self.cooldown = cooldown
        self.queueWait = queueWait
    }

    /// The model names upstreams serve, sorted.
    var modelNames: [String] { byModel.keys.sorted() }

    /// The names of the upstreams serving `model`; empty for a model no upstream serves.
    func upstreams(serving model: String) -> [String] {
        byModel[model]?.map(\.name) ?? []
    }

    /// Whether an upstream serving `model` takes the overflow of an installed model of that name.
    func takesOverflow(of model: String) -> Bool {
        byModel[model]?.contains { $0.configuration.overflow } ?? false
    }

    /// `model`'s upstreams (only those taking overflow, for `overflow`), those in good health
    /// first (each group in configuration order).
    func candidates(for model: String, overflow: Bool = false) -> [UpstreamEndpoint] {
        let all = (byModel[model] ?? []).filter { !overflow || $0.configuration.overflow }
        let now = ContinuousClock.now
        let down = downUntil.withLock { $0 }
        let healthy = all.filter { (down[$0.name] ?? now) <= now }
        return healthy + all.filter { (down[$0.name] ?? now) > now }
    }

    func markDown(_ name: String, for duration: Duration? = nil) {
        let until = ContinuousClock.now + (duration ?? cooldown)
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
    /// When every upstream is busy (429) and the soonest asks for a wait within `queueWait`,
    /// the request waits that long and tries again, as a request queues for a local engine;
    /// past that wait, Haven is busy too and says for how long.
    func firstAnswer<Value: Sendable>(
        model: String, overflow: Bool = false, _ attempt: (UpstreamEndpoint) async throws -> Value
    ) async throws -> Value {
        let deadline = ContinuousClock.now + queueWait
        while true {
            let candidates = candidates(for: model, overflow: overflow)
            guard !candidates.isEmpty else { throw InferenceError.modelNotFound(model) }
            var failures: [UpstreamError] = []
            for endpoint in candidates {
                try Task.checkCancellation()
                do {
                    let value = try await attempt(endpoint)
                    markUp(endpoint.name)
                    return value
                } catch let error as UpstreamError where error.triesNext {
                    if case .rateLimited(_, let seconds) = error {
                        markDown(endpoint.name, for: .seconds(seconds))
                    } else {
                        markDown(endpoint.name)
                    }
                    failures.append(error)
                }
            }
            let busy = Self.busy(failures, upstreams: candidates.map(\.name))
            if let busy, case .rateLimited(_, let seconds) = busy, ContinuousClock.now + .seconds(seconds) <= deadline {
                try await Task.sleep(for: .seconds(seconds))
                continue
            }
            if let busy { throw busy }
            if candidates.count == 1 { throw failures[0] }
            throw UpstreamError.allFailed(model: model, last: failures.last!.description)
        }
    }

    /// When every failure was a 429: Haven's own, for the shortest wait any of them asked. Pure.
    static func busy(_ failures: [UpstreamError], upstreams: [String]) -> UpstreamError? {
        let waits = failures.compactMap { failure -> Int? in
            if case .rateLimited(_, let seconds) = failure { return seconds } else { return nil }
        }
        guard !waits.isEmpty, waits.count == failures.count, let shortest = waits.min() else { return nil }
        if failures.count == 1 { return failures[0] }
        return UpstreamError.rateLimited(upstream: upstreams.joined(separator: ", "), retryAfter: shortest)
    }

    /// Probes every upstream in its cooldown, ending the cooldown of those that answer.
    func probe() async {
        for endpoint in endpoints where isDown(endpoint.name) {
            if await endpoint.isHealthy() { markUp(endpoint.name) }
        }
    }
}
