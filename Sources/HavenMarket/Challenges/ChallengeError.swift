import HavenLedger

/// Why a shard, a challenge answer or a piece of challenge evidence was refused.
public enum ChallengeError: Error, Equatable, Sendable {
    /// A shard must hold at least one byte to be challenged.
    case emptyShard
    /// A commitment's leaf count does not match its byte count.
    case inconsistentCommitment(byteCount: UInt64, leafCount: UInt64)
    /// A leaf index is not inside the shard.
    case leafOutOfRange(index: UInt64, leafCount: UInt64)
    /// The answer is for another leaf than the one challenged.
    case wrongIndex(expected: UInt64, answered: UInt64)
    /// The answered leaf has a length no leaf at that index can have.
    case wrongLeafSize(index: UInt64, byteCount: Int)
    /// The leaf and path do not lead to the committed root.
    case proofFailed(MerkleError)
    /// A document is larger than its type allows.
    case tooLarge(byteCount: Int, limit: Int)
    /// A document is not valid JSON of its type, or a field is out of its domain.
    case malformed(String)
    /// The bytes decode, but are not the one canonical encoding of what they say.
    case notCanonical
    /// The consumer's signature on evidence does not verify.
    case badSignature
    /// Evidence claims an index or outcome that its own contents do not give.
    case inconsistentEvidence(String)
}

extension ChallengeError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .emptyShard:
            "an empty shard has no leaves to challenge; store at least one byte"
        case .inconsistentCommitment(let byteCount, let leafCount):
            "\(byteCount) bytes make \(ShardCommitment.leafCount(forByteCount: byteCount)) leaves of 4 KiB, not \(leafCount)"
        case .leafOutOfRange(let index, let leafCount):
            "leaf \(index) is not in a shard of \(leafCount) leaves (indexes run from 0 to count-1)"
        case .wrongIndex(let expected, let answered):
            "the answer is for leaf \(answered) but leaf \(expected) was challenged"
        case .wrongLeafSize(let index, let byteCount):
            "leaf \(index) cannot be \(byteCount) bytes: every leaf but the last is 4096 bytes, the last 1 to 4096"
        case .proofFailed(let error):
            "the leaf is not in the committed shard: \(error)"
        case .tooLarge(let byteCount, let limit):
            "the document is \(byteCount) bytes; at most \(limit) are accepted"
        case .malformed(let reason):
            "the document is malformed: \(reason)"
        case .notCanonical:
            "the document is not in canonical form (sorted keys, no whitespace, no unknown fields); re-encode it"
        case .badSignature:
            "the consumer's signature does not verify; the evidence was altered or signed by another key"
        case .inconsistentEvidence(let reason):
            "the evidence contradicts itself: \(reason)"
        }
    }
}
