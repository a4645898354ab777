import InMemoryLogging
import Logging
import Synchronization
import Testing

@testable import HavenServer

/// The server's record of failures: counted by kind, logged within a budget, and throttling
/// only the client that fails.
@Suite struct AuthenticationFailuresTests {
    /// A clock the test moves by hand.
    final class ManualClock: Sendable {
        private let instant = Mutex(ContinuousClock.now)
        var now: ContinuousClock.Instant { instant.withLock { $0 } }
        func advance(_ duration: Duration) { instant.withLock { $0 += duration } }
    }

    let clock = ManualClock()
    let log = InMemoryLogHandler()
    let attacker = ClientAddress(description: "192.0.2.1")
    let logger: Logger

    init() {
        let log = self.log
        var logger = Logger(label: "test", factory: { _ in log })
        logger.logLevel = .trace
        self.logger = logger
    }

    func makeFailures(limit: Int = 3, linesPerMinute: Int = 20) -> AuthenticationFailures {
        let clock = self.clock
        return AuthenticationFailures(
            policy: .init(failureLimit: limit, window: .seconds(60), penalty: .seconds(30), maximumPenalty: .seconds(900)),
            budget: LogBudget(linesPerWindow: linesPerMinute, window: .seconds(60)), now: { clock.now })
    }

    func fail(_ failures: AuthenticationFailures, _ kind: AuthenticationFailure.Kind, from client: ClientAddress) async {
        await failures.record(AuthenticationFailure(kind: kind, client: client, credential: "hvn_abc"), path: "/v1/models", logger: logger)
    }

    var warnings: [String] {
        log.entries.filter { $0.level == .warning }.map(\.message.description)
    }

    @Test func theLimitThrottlesWith429AndRetryAfterUntilThePenaltyEnds() async throws {
        let failures = makeFailures()
        for _ in 0..<2 { await fail(failures, .unknown, from: attacker) }
        #expect(await failures.refusal(for: attacker) == nil)
        await fail(failures, .revoked, from: attacker)
        let refusal = try #require(await failures.refusal(for: attacker))
        #expect(refusal.status == .tooManyRequests)
        #expect(refusal.code == "too_many_authentication_failures")
        #expect(refusal.headers[.retryAfter] == "30")
        clock.advance(.seconds(29))
        #expect(await failures.refusal(for: attacker)?.headers[.retryAfter] == "1")
        clock.advance(.seconds(1))
        #expect(await failures.refusal(for: attacker) == nil)
        #expect(warnings.contains("client throttled after repeated authentication failures"))
    }

    @Test func requestsWithoutCredentialsAreCountedButNeverThrottleNorWarn() async {
        let failures = makeFailures()
        for _ in 0..<10 { await fail(failures, .missing, from: attacker) }
        #expect(await failures.refusal(for: attacker) == nil)
        #expect(await failures.status().deniedByKind == ["missing": 10])
        #expect(warnings.isEmpty)
        #expect(log.entries.filter { $0.level == .debug }.count == 10)
    }

    @Test func theLogKeepsToItsBudgetAndSaysHowManyLinesItLeftOut() async {
        let failures = makeFailures(limit: 0, linesPerMinute: 3)
        for _ in 0..<10 { await fail(failures, .unknown, from: attacker) }
        #expect(warnings == Array(repeating: "authentication failed", count: 3))
        clock.advance(.seconds(60))
        await fail(failures, .malformed, from: attacker)
        #expect(
            warnings.suffix(2) == [
                "7 more authentication failures were not logged (at most 3 lines a minute)", "authentication failed",
            ])
        let line = log.entries.last { $0.level == .warning }
        #expect(line?.metadata["client"] == "192.0.2.1")
        #expect(line?.metadata["kind"] == "malformed")
        #expect(line?.metadata["credential"] == "hvn_abc")
        #expect(line?.metadata["path"] == "/v1/models")
    }

    @Test func aThrottlingIsLoggedEvenWhenFailuresAreNoLonger() async {
        let failures = makeFailures(limit: 3, linesPerMinute: 1)
        for _ in 0..<3 { await fail(failures, .unknown, from: attacker) }
        #expect(warnings == ["authentication failed", "client throttled after repeated authentication failures"])
        let line = log.entries.last
        #expect(line?.metadata["client"] == "192.0.2.1")
        #expect(line?.metadata["failures"] == "3")
        #expect(line?.metadata["seconds"] == "30")
    }

    @Test func statusCountsEveryKindAndShowsTheLatestThrottling() async throws {
        let failures = makeFailures()
        let bystander = ClientAddress(description: "192.0.2.2")
        for kind in [AuthenticationFailure.Kind.unknown, .malformed, .unknown] { await fail(failures, kind, from: attacker) }
        await fail(failures, .signature, from: bystander)
        _ = await failures.refusal(for: attacker)
        _ = await failures.refusal(for: bystander)
        let status = await failures.status()
        #expect(status.denied == 4)
        #expect(status.deniedByKind == ["unknown": 2, "malformed": 1, "signature": 1])
        #expect(status.throttledClients == 1)
        #expect(status.throttledRequests == 1)
        let throttle = try #require(status.recentThrottles.first)
        #expect(status.recentThrottles.count == 1)
        #expect(throttle.client == "192.0.2.1")
        #expect(throttle.failures == 3)
        #expect(abs(throttle.until.timeIntervalSince(throttle.startedAt) - 30) < 0.01)
        #expect(status.summary == "denied before authentication: 4 (unknown 2, malformed 1, signature 1); throttled clients: 1")
    }
}
