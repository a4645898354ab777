import Foundation
import HavenLedger

/// Checks answers to storage challenges with nothing but the shard's root and leaf count, so a
/// consumer that keeps only its ``ShardCommitment`` can challenge for as long as the data lives.
public enum ChallengeVerifier {
    /// Succeeds when `answer` is leaf `expectedIndex` of the shard committed to by `root` and
    /// `leafCount`: the right index, a possible leaf length, and an inclusion path to `root`.
    public static func verify(
        _ answer: ChallengeAnswer, root: MerkleHash, leafCount: UInt64, expectedIndex: UInt64
    ) throws(ChallengeError) {
        guard expectedIndex < leafCount else { throw .leafOutOfRange(index: expectedIndex, leafCount: leafCount) }
        guard answer.leafIndex == expectedIndex else { throw .wrongIndex(expected: expectedIndex, answered: answer.leafIndex) }
        let isLast = answer.leafIndex == leafCount - 1
        let sizeFits = isLast ? (1...ShardTree.leafSize).contains(answer.leaf.count) : answer.leaf.count == ShardTree.leafSize
        guard sizeFits else { throw .wrongLeafSize(index: answer.leafIndex, byteCount: answer.leaf.count) }
        do {
            try MerkleVerifier.verifyInclusion(
                leafHash: .leafHash(of: answer.leaf), index: answer.leafIndex, treeSize: leafCount, proof: answer.path,
                root: root)
        } catch {
            throw .proofFailed(error)
        }
    }

    /// How `challenge` ended, given what came back and when: no answer is `missing`; an answer
    /// after the deadline, or with no time of arrival, is `late` whatever it holds; an answer in
    /// time is `passed` when it verifies against `root`, `wrong` otherwise. Times count in whole
    /// seconds, the precision ``ChallengeEvidence`` records, so a recorded outcome can be rechecked.
    public static func judge(
        _ answer: ChallengeAnswer?, receivedAt: Date?, challenge: StorageChallenge, root: MerkleHash
    ) -> ChallengeOutcome {
        guard let answer else { return .missing }
        guard let receivedAt, CanonicalJSON.wholeSeconds(receivedAt) <= challenge.deadline else { return .late }
        do {
            try verify(answer, root: root, leafCount: challenge.leafCount, expectedIndex: challenge.leafIndex)
            return .passed
        } catch {
            return .wrong
        }
    }
}
