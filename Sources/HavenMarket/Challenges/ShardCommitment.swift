import HavenLedger

/// What a consumer keeps of a shard it stored elsewhere: its size, its leaf count and the
/// Merkle root of its ``ShardTree``. That is enough to challenge the provider for ever.
public struct ShardCommitment: Sendable, Hashable {
    public let byteCount: UInt64
    public let leafCount: UInt64
    public let root: MerkleHash

    /// A commitment; `leafCount` must be the number of 4 KiB leaves `byteCount` makes.
    public init(byteCount: UInt64, leafCount: UInt64, root: MerkleHash) throws(ChallengeError) {
        guard byteCount > 0 else { throw .emptyShard }
        guard leafCount == Self.leafCount(forByteCount: byteCount) else {
            throw .inconsistentCommitment(byteCount: byteCount, leafCount: leafCount)
        }
        self.byteCount = byteCount
        self.leafCount = leafCount
        self.root = root
    }

    /// The number of leaves a shard of `byteCount` bytes splits into: one per started 4 KiB.
    public static func leafCount(forByteCount byteCount: UInt64) -> UInt64 {
        let size = UInt64(ShardTree.leafSize)
        return byteCount / size + (byteCount % size == 0 ? 0 : 1)
    }
}
