/// A node of the Merkle tree that roots a *perfect* subtree: the `2^level` leaves starting at
/// `index << level`. Level 0 nodes are leaves. Only these nodes are ever stored (in memory or in
/// tiles); the other hashes a proof needs are computed from them.
public struct MerkleNodeID: Hashable, Sendable {
    /// Height above the leaves, 0...63.
    public let level: UInt8
    /// Position among the nodes of the same level, counting from 0 at the left.
    public let index: UInt64

    /// A node at `level` (0...63) and `index`; traps if the node starts beyond `UInt64` leaves.
    public init(level: UInt8, index: UInt64) {
        precondition(level < 64, "a Merkle node level must be below 64, got \(level)")
        precondition(index <= UInt64.max >> level, "node \(index) at level \(level) starts beyond 2^64 leaves")
        self.level = level
        self.index = index
    }

    /// The leaf of index `index` (level 0).
    public static func leaf(_ index: UInt64) -> MerkleNodeID {
        MerkleNodeID(level: 0, index: index)
    }

    /// The index of the first leaf under this node.
    public var firstLeaf: UInt64 { index << level }

    /// How many leaves this node covers, `2^level`.
    public var leafCount: UInt64 { 1 << level }

    /// The leaves under this node; the tree must hold at least `leafRange.upperBound` leaves for
    /// the node to exist. Traps for the one node shape whose range ends at exactly 2^64.
    public var leafRange: Range<UInt64> { firstLeaf..<(firstLeaf + leafCount) }

    /// The two children of a node above level 0.
    public var children: (left: MerkleNodeID, right: MerkleNodeID)? {
        guard level > 0 else { return nil }
        return (MerkleNodeID(level: level - 1, index: index << 1), MerkleNodeID(level: level - 1, index: index << 1 | 1))
    }
}

extension MerkleNodeID: CustomStringConvertible {
    public var description: String { "node \(index) at level \(level) (leaves \(firstLeaf)..<\(firstLeaf &+ leafCount))" }
}
