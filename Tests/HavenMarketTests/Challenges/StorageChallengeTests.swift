import Foundation
import HavenLedger
import HavenMarket
import HavenStore
import Testing

@Suite struct StorageChallengeTests {
    @Test func theIndexDependsOnEveryInput() throws {
        let root = try ChallengeFixtures.checkpoint(size: 1).rootHash
        let other = try ChallengeFixtures.checkpoint(size: 2).rootHash
        let contract = ChallengeFixtures.contract
        func index(_ contract: ContractID = contract, period: UInt64 = 1, sequence: UInt64 = 0, root: [UInt8] = root) -> UInt64 {
            StorageChallenge.derive(contract: contract, period: period, sequence: sequence, checkpointRoot: root, leafCount: 1 << 40)
        }
        let base = index()
        #expect(index() == base)
        #expect(index(period: 2) != base)
        #expect(index(sequence: 1) != base)
        #expect(index(root: other) != base)
        #expect(index(ContractID(ContentID.hashing([9], codec: .dagJSON))) != base)
    }

    @Test func indexesSpreadEvenlyOverTheLeaves() throws {
        var counts = [Int](repeating: 0, count: 8)
        for size in UInt64(0)..<8_000 {
            counts[Int(try ChallengeFixtures.challenge(leafCount: 8, checkpointSize: size).leafIndex)] += 1
        }
        #expect(counts.allSatisfy { (850...1_150).contains($0) }, "\(counts)")
    }

    @Test func aProviderThatDroppedATenthOfTheLeavesFailsATenthOfTheChallenges() throws {
        let shard = ChallengeFixtures.shard(byteCount: 1_000 * 4_096, seed: 5)
        let tree = try ShardTree(shard: shard)
        var random = SplitMix64(seed: 6)
        let dropped = Set((0..<1_000).shuffled(using: &random).prefix(100))
        var missing = 0
        let challenges = 4_000
        for size in 0..<challenges {
            let challenge = try ChallengeFixtures.challenge(leafCount: tree.leafCount, sequence: UInt64(size % 10), checkpointSize: UInt64(size))
            let index = Int(challenge.leafIndex)
            let answer = dropped.contains(index) ? nil : try tree.proof(of: index)
            let outcome = ChallengeVerifier.judge(answer, receivedAt: challenge.deadline, challenge: challenge, root: tree.root)
            if outcome == .missing { missing += 1 } else { #expect(outcome == .passed) }
        }
        // Expected 400; the standard deviation is about 19.
        #expect((320...480).contains(missing), "\(missing) of \(challenges) challenges hit a dropped leaf")
    }

    @Test func aChallengeNeedsAShardWithLeaves() {
        #expect(throws: ChallengeError.emptyShard) { try ChallengeFixtures.challenge(leafCount: 0) }
    }
}
