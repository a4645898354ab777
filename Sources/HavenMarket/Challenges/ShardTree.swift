import HavenLedger

/// The Merkle tree of a stored shard: the bytes split into 4 KiB leaves (the last one may be
/// shorter), each hashed as an RFC 9162 leaf, under one root. The provider keeps this to answer
/// challenges; the consumer keeps only its ``commitment``.
///
/// The whole shard and every tree node are held in memory, which suits shards of the sizes a
/// contract stores (megabytes to a few hundred); larger ones want a tree read from disk.
public struct ShardTree: Sendable {
    /// The size of every leaf but the last.
    public static let leafSize = 4096

    /// The shard's bytes, as stored.
    public let shard: [UInt8]
    private let tree: InMemoryMerkleTree

    /// Builds the tree of a non-empty shard.
    public init(shard: [UInt8]) throws(ChallengeError) {
        guard !shard.isEmpty else { throw .emptyShard }
        var tree = InMemoryMerkleTree()
        for start in stride(from: 0, to: shard.count, by: Self.leafSize) {
            tree.append(leafData: shard[start..<min(start + Self.leafSize, shard.count)])
        }
        self.shard = shard
        self.tree = tree
    }

    public var leafCount: UInt64 { tree.size }
    public var root: MerkleHash { tree.rootHash }

    /// Size, leaf count and root: what the consumer keeps.
    public var commitment: ShardCommitment {
        // The tree was built from these bytes, so the counts agree and the shard is not empty.
        try! ShardCommitment(byteCount: UInt64(shard.count), leafCount: leafCount, root: root)
    }

    /// The bytes of leaf `index`.
    public func leaf(_ index: Int) throws(ChallengeError) -> ArraySlice<UInt8> {
        guard index >= 0, UInt64(index) < leafCount else { throw .leafOutOfRange(index: UInt64(max(index, 0)), leafCount: leafCount) }
        let start = index * Self.leafSize
        return shard[start..<min(start + Self.leafSize, shard.count)]
    }

    /// The answer to a challenge for leaf `index`: its bytes and its RFC 9162 inclusion path.
    public func proof(of index: Int) throws(ChallengeError) -> ChallengeAnswer {
        let bytes = try leaf(index)
        // Every node of the in-memory tree is held, so a proof for a leaf inside it cannot fail.
        let path = try! tree.prover.inclusionProof(index: UInt64(index), treeSize: leafCount)
        return ChallengeAnswer(leafIndex: UInt64(index), leaf: Array(bytes), path: path)
    }
}
