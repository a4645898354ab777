import Testing

@testable import HavenServer

/// The throttle's rules, with time passed in: who is refused, for how long, and who is not.
@Suite struct AuthenticationThrottleTests {
    let start = ContinuousClock.now
    let attacker = ClientAddress(description: "192.0.2.1")
    let bystander = ClientAddress(description: "192.0.2.2")
    static let policy = AuthenticationThrottle.Policy(
        failureLimit: 3, window: .seconds(60), penalty: .seconds(10), maximumPenalty: .seconds(45))

    func at(_ seconds: Double) -> ContinuousClock.Instant {
        start + .milliseconds(Int64(seconds * 1000))
    }

    /// Fails `count` times, one second apart from `from`; returns the last result.
    @discardableResult
    func fail(
        _ throttle: inout AuthenticationThrottle, _ client: ClientAddress, times count: Int, from: Double
    ) -> AuthenticationThrottle.Throttling? {
        var last: AuthenticationThrottle.Throttling?
        for index in 0..<count { last = throttle.recordFailure(by: client, at: at(from + Double(index))) }
        return last
    }

    @Test func theFailureThatReachesTheLimitThrottlesAndNotOneBefore() {
        var throttle = AuthenticationThrottle(policy: Self.policy)
        #expect(fail(&throttle, attacker, times: 2, from: 0) == nil)
        #expect(throttle.remainingPenalty(for: attacker, at: at(2)) == nil)
        let throttling = throttle.recordFailure(by: attacker, at: at(2))
        #expect(throttling?.failures == 3)
        #expect(throttling?.strike == 1)
        #expect(throttle.remainingPenalty(for: attacker, at: at(2)) == .seconds(10))
        #expect(throttle.remainingPenalty(for: attacker, at: at(11.5)) == .milliseconds(500))
        #expect(throttle.remainingPenalty(for: attacker, at: at(12)) == nil)
    }

    @Test func anotherClientIsNeverSlowedByTheThrottledOne() {
        var throttle = AuthenticationThrottle(policy: Self.policy)
        fail(&throttle, attacker, times: 3, from: 0)
        #expect(throttle.remainingPenalty(for: attacker, at: at(3)) != nil)
        #expect(throttle.remainingPenalty(for: bystander, at: at(3)) == nil)
        // The bystander's own failures are counted from zero.
        #expect(fail(&throttle, bystander, times: 2, from: 3) == nil)
        #expect(throttle.remainingPenalty(for: bystander, at: at(5)) == nil)
        #expect(throttle.throttled(at: at(5)).map(\.client) == [attacker])
    }

    @Test func failuresOlderThanTheWindowAreForgotten() {
        var throttle = AuthenticationThrottle(policy: Self.policy)
        fail(&throttle, attacker, times: 2, from: 0)
        // 60 s after the first failure it has left the window: two remain, not three.
        #expect(throttle.recordFailure(by: attacker, at: at(60)) == nil)
        #expect(throttle.remainingPenalty(for: attacker, at: at(60)) == nil)
        #expect(throttle.recordFailure(by: attacker, at: at(60.5)) != nil)
    }

    @Test func eachFurtherPenaltyDoublesUpToTheMaximum() {
        var throttle = AuthenticationThrottle(policy: Self.policy)
        var now = 0.0
        var penalties: [Duration] = []
        for _ in 0..<4 {
            let throttling = fail(&throttle, attacker, times: 3, from: now)
            #expect(throttling != nil)
            guard let throttling else { return }
            penalties.append(throttling.until - throttling.startedAt)
            // The next round of failures starts just as the penalty ends.
            now = now + 2 + Double((throttling.until - throttling.startedAt).components.seconds)
        }
        #expect(penalties == [.seconds(10), .seconds(20), .seconds(40), .seconds(45)])
    }

    @Test func refusedRequestsDoNotLengthenThePenalty() {
        var throttle = AuthenticationThrottle(policy: Self.policy)
        fail(&throttle, attacker, times: 3, from: 0)
        for second in 3..<12 { _ = throttle.remainingPenalty(for: attacker, at: at(Double(second))) }
        #expect(throttle.remainingPenalty(for: attacker, at: at(12)) == nil)
    }

    @Test func aClientThatStaysCleanAfterItsPenaltyStartsOverAtTheFirstPenalty() {
        var throttle = AuthenticationThrottle(policy: Self.policy)
        fail(&throttle, attacker, times: 3, from: 0)  // throttled from 2 s until 12 s
        #expect(fail(&throttle, attacker, times: 3, from: 12)?.strike == 2)  // until 14 + 20 = 34 s
        // Clean for the maximum penalty (45 s) after the second penalty ended: forgotten.
        let again = fail(&throttle, attacker, times: 3, from: 34 + 45)
        #expect(again?.strike == 1)
        #expect(again.map { $0.until - $0.startedAt } == .seconds(10))
    }

    @Test func aLimitOfZeroThrottlesNoOne() {
        var policy = Self.policy
        policy.failureLimit = 0
        var throttle = AuthenticationThrottle(policy: policy)
        #expect(fail(&throttle, attacker, times: 50, from: 0) == nil)
        #expect(throttle.remainingPenalty(for: attacker, at: at(50)) == nil)
        #expect(throttle.trackedCount == 0)
    }

    @Test func memoryIsBoundedByForgettingTheClientSeenLongestAgo() {
        var policy = Self.policy
        policy.trackedClients = 100
        var throttle = AuthenticationThrottle(policy: policy)
        let early = ClientAddress(description: "198.51.100.7")
        fail(&throttle, early, times: 2, from: 0)
        fail(&throttle, attacker, times: 3, from: 0)
        for index in 0..<1_000 {
            let now = at(3 + Double(index) / 1_000)
            _ = throttle.recordFailure(by: ClientAddress(description: "10.0.\(index / 256).\(index % 256)"), at: now)
            // The throttled client keeps knocking, so it stays among the most recently seen.
            #expect(throttle.remainingPenalty(for: attacker, at: now) != nil)
            #expect(throttle.trackedCount <= 100)
        }
        #expect(throttle.trackedCount == 100)
        // The early client was pushed out with its two failures: a third one is its first again.
        #expect(throttle.recordFailure(by: early, at: at(5)) == nil)
        #expect(fail(&throttle, early, times: 2, from: 6) != nil)
    }
}
