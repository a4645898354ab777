import Crypto
import Foundation
import HavenLedger
import HavenMarket
import Testing

@Suite struct ChallengeVerifierTests {
    @Test(arguments: 1...12)
    func honestAnswersVerifyForRandomLeavesOfRandomShards(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let shard = ChallengeFixtures.shard(byteCount: Int.random(in: 1...300_000, using: &random), seed: seed)
        let tree = try ShardTree(shard: shard)
        let commitment = tree.commitment
        for _ in 0..<20 {
            let index = UInt64.random(in: 0..<commitment.leafCount, using: &random)
            let answer = try tree.proof(of: Int(index))
            try ChallengeVerifier.verify(answer, root: commitment.root, leafCount: commitment.leafCount, expectedIndex: index)
        }
    }

    @Test func anAnswerFromAnotherReplicaFails() throws {
        // The same plaintext sealed under two keys: two replicas with different leaf bytes.
        let plaintext = ChallengeFixtures.shard(byteCount: 64 * 4_096, seed: 9)
        let nonce = try ChaChaPoly.Nonce(data: [UInt8](repeating: 0, count: 12))
        func replica(_ key: SymmetricKey) throws -> ShardTree {
            try ShardTree(shard: Array(try ChaChaPoly.seal(plaintext, using: key, nonce: nonce).ciphertext))
        }
        let mine = try replica(SymmetricKey(size: .bits256))
        let theirs = try replica(SymmetricKey(size: .bits256))
        let answer = try theirs.proof(of: 17)
        #expect(throws: ChallengeError.self) {
            try ChallengeVerifier.verify(answer, root: mine.root, leafCount: mine.leafCount, expectedIndex: 17)
        }
    }

    @Test func aWrongIndexFails() throws {
        let tree = try ShardTree(shard: ChallengeFixtures.shard(byteCount: 20 * 4_096, seed: 1))
        #expect(throws: ChallengeError.wrongIndex(expected: 4, answered: 3)) {
            try ChallengeVerifier.verify(try tree.proof(of: 3), root: tree.root, leafCount: tree.leafCount, expectedIndex: 4)
        }
        // An honest proof of leaf 3 relabelled as leaf 4 does not reach the root either.
        let honest = try tree.proof(of: 3)
        let relabelled = ChallengeAnswer(leafIndex: 4, leaf: honest.leaf, path: honest.path)
        #expect(throws: ChallengeError.self) {
            try ChallengeVerifier.verify(relabelled, root: tree.root, leafCount: tree.leafCount, expectedIndex: 4)
        }
    }

    @Test func aTruncatedPathFails() throws {
        let tree = try ShardTree(shard: ChallengeFixtures.shard(byteCount: 20 * 4_096, seed: 2))
        let honest = try tree.proof(of: 7)
        let truncated = ChallengeAnswer(leafIndex: 7, leaf: honest.leaf, path: Array(honest.path.dropLast()))
        #expect(throws: ChallengeError.proofFailed(.wrongProofLength(expected: honest.path.count, actual: honest.path.count - 1))) {
            try ChallengeVerifier.verify(truncated, root: tree.root, leafCount: tree.leafCount, expectedIndex: 7)
        }
    }

    @Test func aChangedOrShortenedLeafFails() throws {
        let tree = try ShardTree(shard: ChallengeFixtures.shard(byteCount: 20 * 4_096, seed: 4))
        let honest = try tree.proof(of: 5)
        var flipped = honest.leaf
        flipped[100] ^= 1
        #expect(throws: ChallengeError.self) {
            try ChallengeVerifier.verify(ChallengeAnswer(leafIndex: 5, leaf: flipped, path: honest.path), root: tree.root, leafCount: tree.leafCount, expectedIndex: 5)
        }
        #expect(throws: ChallengeError.wrongLeafSize(index: 5, byteCount: 4_095)) {
            try ChallengeVerifier.verify(ChallengeAnswer(leafIndex: 5, leaf: Array(honest.leaf.dropLast()), path: honest.path), root: tree.root, leafCount: tree.leafCount, expectedIndex: 5)
        }
    }

    @Test func outcomesFollowTheAnswerAndTheDeadline() throws {
        let tree = try ShardTree(shard: ChallengeFixtures.shard(byteCount: 50 * 4_096 + 10, seed: 8))
        let challenge = try ChallengeFixtures.challenge(leafCount: tree.leafCount)
        let answer = try tree.proof(of: Int(challenge.leafIndex))
        let wrongLeaf = try tree.proof(of: Int((challenge.leafIndex + 1) % tree.leafCount))
        func judge(_ answer: ChallengeAnswer?, _ time: Date?) -> ChallengeOutcome {
            ChallengeVerifier.judge(answer, receivedAt: time, challenge: challenge, root: tree.root)
        }
        #expect(judge(answer, challenge.deadline) == .passed)
        #expect(judge(answer, challenge.deadline.addingTimeInterval(0.5)) == .passed)
        #expect(judge(answer, challenge.deadline.addingTimeInterval(1)) == .late)
        #expect(judge(answer, nil) == .late)
        #expect(judge(wrongLeaf, challenge.deadline) == .wrong)
        #expect(judge(nil, challenge.deadline) == .missing)
    }
}
