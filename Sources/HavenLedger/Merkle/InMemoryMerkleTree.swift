/// A Merkle tree held entirely in memory: every leaf hash and every complete interior node.
/// For tests, for building tiles, and for small logs; a large log answers from tiles instead.
public struct InMemoryMerkleTree: MerkleNodeSource, Equatable, Sendable {
    // levels[l][i] is the hash of node (l, i); a level holds only the nodes already complete.
    private var levels: [[MerkleHash]] = [[]]

    /// An empty tree.
    public init() {}

    /// A tree of the given leaf hashes, in order.
    public init(leafHashes: some Sequence<MerkleHash>) {
        for leafHash in leafHashes {
            append(leafHash: leafHash)
        }
    }

    /// How many leaves the tree holds.
    public var size: UInt64 { UInt64(levels[0].count) }

    /// The root of the whole tree.
    public var rootHash: MerkleHash {
        // Every node of the tree is held, so this cannot throw.
        try! MerkleProver(source: self).rootHash(treeSize: size)
    }

    /// A prover over this tree, for roots and proofs at any size up to `size`.
    public var prover: MerkleProver<InMemoryMerkleTree> { MerkleProver(source: self) }

    /// Appends a leaf by its hash and completes the interior nodes it closes.
    public mutating func append(leafHash: MerkleHash) {
        levels[0].append(leafHash)
        var level = 0
        // A node closes when its right child is appended: that child has an odd index.
        while levels[level].count % 2 == 0 {
            let count = levels[level].count
            let parent = MerkleHash.nodeHash(left: levels[level][count - 2], right: levels[level][count - 1])
            if levels.count == level + 1 {
                levels.append([])
            }
            levels[level + 1].append(parent)
            level += 1
        }
    }

    /// Drops every leaf from `size` on, and the interior nodes they completed: the tree as it
    /// was at that size. A size beyond the tree's changes nothing.
    public mutating func truncate(to size: UInt64) {
        guard size < self.size else { return }
        for level in levels.indices {
            let keep = Int(size >> UInt64(level))
            levels[level].removeLast(levels[level].count - keep)
        }
        while levels.count > 1, levels[levels.count - 1].isEmpty {
            levels.removeLast()
        }
    }

    /// Appends a leaf by its data, hashed as `MerkleHash.leafHash(of:)`.
    public mutating func append<Bytes: Sequence<UInt8>>(leafData: Bytes) {
        append(leafHash: .leafHash(of: leafData))
    }

    public func hash(of node: MerkleNodeID) throws -> MerkleHash {
        let level = Int(node.level)
        guard level < levels.count, node.index < UInt64(levels[level].count) else {
            throw MerkleError.nodeBeyondTreeSize(node, treeSize: size)
        }
        return levels[level][Int(node.index)]
    }
}
