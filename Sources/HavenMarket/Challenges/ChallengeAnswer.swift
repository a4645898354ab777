import HavenLedger

/// A provider's answer to a storage challenge: the challenged leaf's bytes and the RFC 9162
/// inclusion path that leads from them to the shard's root.
public struct ChallengeAnswer: Sendable, Hashable {
    public let leafIndex: UInt64
    public let leaf: [UInt8]
    /// Sibling hashes from the leaf up to the root, as ``MerkleVerifier`` reads them.
    public let path: [MerkleHash]

    public init(leafIndex: UInt64, leaf: [UInt8], path: [MerkleHash]) {
        self.leafIndex = leafIndex
        self.leaf = leaf
        self.path = path
    }
}
