import Crypto
import Foundation
import HavenMarket
import HavenStore
import Testing

/// When challenges come: inside the period, leaving time to answer, spread out, and known only
/// once the period's checkpoint exists.
@Suite struct ChallengeScheduleTests {
    let contract = ContractID(ContentID.hashing(Array("a contract".utf8), codec: .dagJSON))
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let root = Array(SHA256.hash(data: Array("checkpoint".utf8)))

    func moments(contract: ContractID? = nil, period: UInt64 = 3, count: UInt64 = 90, root: [UInt8]? = nil) -> [(sequence: UInt64, at: Date)] {
        ChallengeSchedule.moments(
            contract: contract ?? self.contract, period: period, periodStart: start, periodSeconds: 86_400, answerWindow: 600,
            count: count, checkpointRoot: root ?? self.root)
    }

    @Test func momentsFallInThePeriodLeavingTimeToAnswer() {
        let all = moments(count: 2_000)
        #expect(all.count == 2_000)
        #expect(Set(all.map(\.sequence)) == Set(0..<2_000))
        #expect(all.allSatisfy { $0.at >= start && $0.at < start + 86_400 - 600 })
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.at <= $1.at })
        // Spread over the day: every quarter of it gets a fair share (2000/4 = 500 expected).
        let quarters = Dictionary(grouping: all) { Int($0.at.timeIntervalSince(start) / ((86_400 - 600) / 4)) }
        #expect(quarters.keys.sorted() == [0, 1, 2, 3])
        #expect(quarters.values.allSatisfy { (400...600).contains($0.count) })
    }

    @Test func theScheduleDependsOnTheCheckpointTheContractAndThePeriod() {
        let base = moments().map(\.at)
        #expect(moments().map(\.at) == base)
        #expect(moments(root: Array(SHA256.hash(data: Array("another checkpoint".utf8)))).map(\.at) != base)
        #expect(moments(contract: ContractID(ContentID.hashing(Array("other".utf8), codec: .dagJSON))).map(\.at) != base)
        #expect(moments(period: 4).map(\.at) != base)
    }

    @Test func noTimeToAnswerMeansNoChallenge() {
        #expect(ChallengeSchedule.moments(
            contract: contract, period: 0, periodStart: start, periodSeconds: 600, answerWindow: 600, count: 5,
            checkpointRoot: root).isEmpty)
        #expect(moments(count: 0).isEmpty)
    }
}
