import Foundation
import Logging

/// The server's record of requests refused before authentication: it counts them by kind (in
/// `/metrics` and `/haven/status`), logs them within a budget, and throttles a client address
/// that fails too often (``AuthenticationThrottle``), without slowing any other.
///
/// The authentication middlewares ask ``refusal(for:)`` before they look at a request's
/// credentials, so a throttled client gets a 429 even with a valid token: were the token checked
/// first, a right guess would answer differently from a wrong one and the throttle would not slow
/// guessing at all. Its penalty is short next to how rarely a person mistypes a token 30 times in
/// a minute, and `Retry-After` says when to come back.
///
/// Log lines name the client, the kind and the credential by its public id or a keyed
/// fingerprint (``AuthenticationFailure/credential(inAuthorization:fingerprint:)``), never by
/// its secret; at most ``LogBudget/linesPerWindow`` a minute, then one line says how many were
/// left out. The start of a throttling has a budget of its own, so a flood of failures does not
/// hide it.
public actor AuthenticationFailures {
    public typealias Instant = ContinuousClock.Instant

    /// Names malformed credentials in the log.
    public nonisolated let fingerprint = CredentialFingerprint()
    private var throttle: AuthenticationThrottle
    private var budget: LogBudget
    private var throttlingBudget: LogBudget
    private let metrics: ServerMetrics?
    private let now: @Sendable () -> Instant
    private var counts: [AuthenticationFailure.Kind: Int] = [:]
    private var throttledRequests = 0
    /// The latest throttlings, newest last.
    private var recent: [AuthenticationThrottle.Throttling] = []
    static let recentLimit = 10

    /// - Parameter now: the clock, replaced in tests.
    public init(
        policy: AuthenticationThrottle.Policy, metrics: ServerMetrics? = nil, budget: LogBudget = LogBudget(),
        now: @escaping @Sendable () -> Instant = { .now }
    ) {
        self.throttle = AuthenticationThrottle(policy: policy)
        self.budget = budget
        self.throttlingBudget = budget
        self.metrics = metrics
        self.now = now
        metrics?.prepareAuthenticationCounters()
    }

    /// A 429 for `client` if it is throttled now; `nil` if it may try to authenticate.
    public func refusal(for client: ClientAddress) -> APIError? {
        guard let wait = throttle.remainingPenalty(for: client, at: now()) else { return nil }
        throttledRequests += 1
        metrics?.countThrottledRequest()
        return Self.tooManyFailures(client: client, wait: wait)
    }

    /// Counts, logs (within the budget) and weighs one failure; `logger` is the request's.
    public func record(_ failure: AuthenticationFailure, path: String, logger: Logger) {
        let now = now()
        counts[failure.kind, default: 0] += 1
        metrics?.countAuthenticationFailure(failure.kind)
        let throttling = failure.kind.isThrottled ? throttle.recordFailure(by: failure.client, at: now) : nil
        if let throttling {
            recent.append(throttling)
            if recent.count > Self.recentLimit { recent.removeFirst(recent.count - Self.recentLimit) }
        }
        var metadata: Logger.Metadata = [
            "client": "\(failure.client)", "kind": "\(failure.kind.rawValue)", "path": "\(path.prefix(200))",
        ]
        if let credential = failure.credential { metadata["credential"] = "\(credential)" }
        if failure.kind == .missing {
            // Every client's first request is often one without credentials: not worth a warning.
            logger.debug("authentication failed", metadata: metadata)
        } else if case .log(let suppressed) = budget.admit(at: now) {
            if suppressed > 0 {
                logger.warning(
                    "\(suppressed) more authentication failures were not logged (at most \(budget.linesPerWindow) lines a minute)")
            }
            logger.warning("authentication failed", metadata: metadata)
        }
        if let throttling, case .log(let suppressed) = throttlingBudget.admit(at: now) {
            if suppressed > 0 {
                logger.warning("\(suppressed) more throttled clients were not logged (at most \(budget.linesPerWindow) lines a minute)")
            }
            logger.warning(
                "client throttled after repeated authentication failures",
                metadata: [
                    "client": "\(throttling.client)", "failures": "\(throttling.failures)",
                    "seconds": "\(Int(Self.seconds(throttling.until - throttling.startedAt)))", "strike": "\(throttling.strike)",
                ])
        }
    }

    /// Clients throttled now.
    public var throttledClientCount: Int {
        throttle.throttled(at: now()).count
    }

    /// Totals since the server started and the latest throttlings, for `/haven/status`.
    public func status() -> StatusResponse.AuthenticationStatus {
        let instant = now()
        let wallClock = Date()
        func date(_ other: Instant) -> Date {
            wallClock.addingTimeInterval(Self.seconds(other - instant))
        }
        return StatusResponse.AuthenticationStatus(
            denied: counts.values.reduce(0, +),
            deniedByKind: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
            throttledRequests: throttledRequests,
            throttledClients: throttle.throttled(at: instant).count,
            recentThrottles: recent.reversed().map {
                .init(
                    client: $0.client.description, startedAt: date($0.startedAt), until: date($0.until),
                    failures: $0.failures)
            })
    }

    /// The 429 a throttled client gets: the JSON error shape and `Retry-After` in whole seconds.
    static func tooManyFailures(client: ClientAddress, wait: Duration) -> APIError {
        let seconds = max(1, Int(Self.seconds(wait).rounded(.up)))
        var error = APIError(
            .tooManyRequests, code: "too_many_authentication_failures",
            message: "too many failed attempts to authenticate from \(client); try again in \(seconds) s")
        error.headers[.retryAfter] = "\(seconds)"
        return error
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
