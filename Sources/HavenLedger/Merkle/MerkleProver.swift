/// Computes roots and RFC 9162 proofs from stored node hashes. It asks its source only for
/// perfect subtrees (see `MerkleGeometry`) and hashes the rest, so the same code serves the
/// in-memory tree and tiles.
public struct MerkleProver<Source: MerkleNodeSource>: Sendable {
    /// Where node hashes come from.
    public var source: Source

    public init(source: Source) {
        self.source = source
    }

    /// `MTH(D[0:treeSize])`: the root of the tree of the first `treeSize` leaves.
    public func rootHash(treeSize: UInt64) throws -> MerkleHash {
        treeSize == 0 ? .emptyTree : try hash(ofSubtree: 0..<treeSize)
    }

    /// `MTH(D[range])` for a non-empty range; every perfect node it splits into (see
    /// `MerkleGeometry.nodes(composing:)`) must be available from the source.
    public func hash(ofSubtree range: Range<UInt64>) throws -> MerkleHash {
        let count = range.upperBound - range.lowerBound
        precondition(count > 0, "an empty range has no subtree; the empty tree's hash is MerkleHash.emptyTree")
        if count & (count - 1) == 0, range.lowerBound % count == 0 {
            let level = UInt8(count.trailingZeroBitCount)
            return try source.hash(of: MerkleNodeID(level: level, index: range.lowerBound >> level))
        }
        let split = range.lowerBound + MerkleGeometry.largestPowerOfTwo(below: count)
        return .nodeHash(left: try hash(ofSubtree: range.lowerBound..<split), right: try hash(ofSubtree: split..<range.upperBound))
    }

    /// `PATH(index, D[treeSize])` (RFC 9162 §2.1.3.1): the audit path of leaf `index`.
    public func inclusionProof(index: UInt64, treeSize: UInt64) throws -> [MerkleHash] {
        try MerkleGeometry.inclusionProofRanges(index: index, treeSize: treeSize).map { try hash(ofSubtree: $0) }
    }

    /// `PROOF(oldSize, D[newSize])` (RFC 9162 §2.1.4.1); empty when the sizes are equal.
    public func consistencyProof(oldSize: UInt64, newSize: UInt64) throws -> [MerkleHash] {
        try MerkleGeometry.consistencyProofRanges(oldSize: oldSize, newSize: newSize).map { try hash(ofSubtree: $0) }
    }

    /// The contents of `tile`: the hashes of nodes `index*256 ..< index*256 + width` at Merkle
    /// level `8*level`, which is what a log writes at `tile.path`.
    public func hashes(of tile: TileCoordinate) throws -> [MerkleHash] {
        try tile.nodes.map { try source.hash(of: $0) }
    }
}
