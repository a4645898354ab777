/// Why a Merkle hash, proof or tile could not be used. Proof failures say which check of
/// RFC 9162 failed, so a caller can tell a malformed request from a log that misbehaves.
public enum MerkleError: Error, Equatable, Sendable {
    /// A hash was not 32 bytes long.
    case invalidHashLength(Int)
    /// A leaf index is not inside the tree it is claimed to be in.
    case indexBeyondTreeSize(index: UInt64, treeSize: UInt64)
    /// A proof has the wrong number of hashes for its sizes and index.
    case wrongProofLength(expected: Int, actual: Int)
    /// An inclusion proof leads to a different root than the one expected.
    case rootMismatch(expected: MerkleHash, computed: MerkleHash)
    /// A consistency proof was asked for from a larger tree to a smaller one.
    case oldSizeBeyondNewSize(oldSize: UInt64, newSize: UInt64)
    /// A consistency proof was asked for from the empty tree, which every tree extends.
    case consistencyFromEmptyTree(newSize: UInt64)
    /// A consistency proof does not reproduce the old root.
    case oldRootMismatch(expected: MerkleHash, computed: MerkleHash)
    /// A consistency proof does not reproduce the new root (or, for equal sizes, the roots differ).
    case newRootMismatch(expected: MerkleHash, computed: MerkleHash)
    /// A node was asked for that the tree of this size does not complete yet.
    case nodeBeyondTreeSize(MerkleNodeID, treeSize: UInt64)
    /// A hash needed for a proof lives in a tile that was not supplied (or was supplied narrower).
    case tileMissing(TileCoordinate, node: MerkleNodeID)
    /// Tile or entry-bundle coordinates outside what tlog-tiles allows.
    case invalidTile(reason: String)
    /// A `tile/...` path that does not follow the tlog-tiles encoding.
    case invalidTilePath(String, reason: String)
    /// Tile contents whose length does not match the tile's width.
    case invalidTileData(TileCoordinate, byteCount: Int)
}

extension MerkleError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidHashLength(let count):
            "a Merkle hash is 32 bytes (SHA-256), got \(count)"
        case .indexBeyondTreeSize(let index, let treeSize):
            "leaf index \(index) is not in a tree of \(treeSize) leaves (indexes run from 0 to size-1)"
        case .wrongProofLength(let expected, let actual):
            "the proof has \(actual) hashes but these sizes need exactly \(expected); it was made for other sizes or is corrupt"
        case .rootMismatch(let expected, let computed):
            "the inclusion proof leads to root \(computed), not the expected \(expected): the leaf, index, proof or root is wrong"
        case .oldSizeBeyondNewSize(let oldSize, let newSize):
            "the old tree size \(oldSize) is larger than the new size \(newSize); a log only grows, swap or fix the sizes"
        case .consistencyFromEmptyTree(let newSize):
            "a consistency proof from the empty tree to size \(newSize) proves nothing: every tree extends the empty tree, so skip the check"
        case .oldRootMismatch(let expected, let computed):
            "the consistency proof reproduces old root \(computed), not the trusted \(expected): the proof or the old root is wrong"
        case .newRootMismatch(let expected, let computed):
            "the consistency proof reproduces new root \(computed), not the claimed \(expected): the log may have forked or rewritten history"
        case .nodeBeyondTreeSize(let node, let treeSize):
            "\(node) is not complete in a tree of \(treeSize) leaves"
        case .tileMissing(let tile, let node):
            "\(tile.path) is needed for \(node); fetch it and add it before asking again"
        case .invalidTile(let reason):
            "invalid tile: \(reason)"
        case .invalidTilePath(let path, let reason):
            "'\(path)' is not a tlog-tiles path: \(reason)"
        case .invalidTileData(let tile, let byteCount):
            "\(tile.path) must hold \(tile.width) hashes (\(tile.width * MerkleHash.byteCount) bytes), got \(byteCount) bytes"
        }
    }
}
