/// Which clients are refused for failing to authenticate too often: a pure value, with the time
/// passed in, so its rules are tested without a server or a clock.
///
/// Each client address has a sliding window of its recent failures. The failure that makes
/// ``Policy/failureLimit`` within ``Policy/window`` throttles the address for a penalty: the
/// first is ``Policy/penalty``, each further one twice the last, up to ``Policy/maximumPenalty``.
/// While throttled, the address gets only 429s, which are not failures and do not lengthen the
/// penalty; when the penalty ends it has a fresh window. An address that then stays clean for
/// ``Policy/maximumPenalty`` is forgotten, and its next penalty is the first again.
///
/// Memory is bounded: at most ``Policy/trackedClients`` addresses are kept, and a new one
/// pushes out the one seen longest ago.
public struct AuthenticationThrottle: Sendable {
    public typealias Instant = ContinuousClock.Instant

    /// How many failures are too many, and what they cost.
    public struct Policy: Sendable, Equatable {
        /// Failures within `window` that throttle their client; 0 turns throttling off.
        public var failureLimit: Int
        public var window: Duration
        public var penalty: Duration
        public var maximumPenalty: Duration
        /// The most client addresses remembered at once.
        public var trackedClients: Int

        public init(
            failureLimit: Int = 30, window: Duration = .seconds(60), penalty: Duration = .seconds(30),
            maximumPenalty: Duration = .seconds(900), trackedClients: Int = 10_000
        ) {
            self.failureLimit = failureLimit
            self.window = window
            self.penalty = penalty
            self.maximumPenalty = max(maximumPenalty, penalty)
            self.trackedClients = max(trackedClients, 1)
        }

        /// The penalty for a client's `strike`th throttling (1 for the first).
        func penalty(strike: Int) -> Duration {
            var penalty = self.penalty
            for _ in 1..<max(strike, 1) where penalty < maximumPenalty { penalty *= 2 }
            return min(penalty, maximumPenalty)
        }
    }

    /// A throttling that began: who, for how long, and after how many failures.
    public struct Throttling: Sendable, Equatable {
        public let client: ClientAddress
        public let startedAt: Instant
        public let until: Instant
        public let failures: Int
        /// 1 for the client's first penalty since it was last forgotten, then 2, 3, …
        public let strike: Int
    }

    private struct Client {
        /// Failures within the window, oldest first; never more than the failure limit.
        var failures: [Instant] = []
        var strikes = 0
        var throttledUntil: Instant?
        var lastSeen: Instant
        /// The end of the last penalty, or the last failure: when the client was last in trouble.
        var lastTrouble: Instant
    }

    public let policy: Policy
    private var clients: [ClientAddress: Client] = [:]

    public init(policy: Policy) {
        self.policy = policy
    }

    /// Addresses remembered now (at most ``Policy/trackedClients``).
    public var trackedCount: Int { clients.count }

    /// How long `client` must still wait, or `nil` if it may try to authenticate now.
    public mutating func remainingPenalty(for client: ClientAddress, at now: Instant) -> Duration? {
        guard policy.failureLimit > 0, var state = clients[client], let until = state.throttledUntil else { return nil }
        guard now < until else { return nil }
        state.lastSeen = now
        clients[client] = state
        return until - now
    }

    /// Counts a failure by `client`; returns the throttling it started, if it was one too many.
    public mutating func recordFailure(by client: ClientAddress, at now: Instant) -> Throttling? {
        guard policy.failureLimit > 0 else { return nil }
        var state = clients[client] ?? admitNewClient(at: now)
        if let until = state.throttledUntil, until <= now {
            state.throttledUntil = nil
            state.lastTrouble = until
        }
        if state.throttledUntil == nil, now - state.lastTrouble >= policy.maximumPenalty {
            state.strikes = 0
        }
        state.failures.removeAll { now - $0 >= policy.window }
        state.failures.append(now)
        state.lastSeen = now
        state.lastTrouble = now
        var throttling: Throttling?
        if state.throttledUntil == nil, state.failures.count >= policy.failureLimit {
            state.strikes += 1
            let until = now + policy.penalty(strike: state.strikes)
            throttling = Throttling(
                client: client, startedAt: now, until: until, failures: state.failures.count, strike: state.strikes)
            state.throttledUntil = until
            state.failures.removeAll()
        }
        clients[client] = state
        return throttling
    }

    /// The clients throttled at `now`, with when each may try again.
    public func throttled(at now: Instant) -> [(client: ClientAddress, until: Instant)] {
        clients.compactMap { address, state in
            guard let until = state.throttledUntil, now < until else { return nil }
            return (address, until)
        }
    }

    /// A new client's state, making room for it first by forgetting the client seen longest ago.
    private mutating func admitNewClient(at now: Instant) -> Client {
        if clients.count >= policy.trackedClients,
            let oldest = clients.min(by: { $0.value.lastSeen < $1.value.lastSeen })?.key
        {
            clients[oldest] = nil
        }
        return Client(lastSeen: now, lastTrouble: now)
    }
}
