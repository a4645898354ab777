/// Node hashes answered from C2SP tiles for one tree size: give it the tiles that
/// `TileLayout.tilesNeeded(...)` names and a `MerkleProver` over it produces the root and proofs.
/// A tile may be wider than the tree needs (a full tile serves any smaller tree); a narrower one
/// answers only the nodes it covers.
public struct TileHashSource: MerkleNodeSource, Sendable {
    /// The tree size the answers are for.
    public let treeSize: UInt64

    private struct Slot: Hashable {
        let level: UInt8
        let index: UInt64
    }

    private var tiles: [Slot: [MerkleHash]] = [:]

    /// A source with no tiles yet, for the tree of `treeSize` entries.
    public init(treeSize: UInt64) {
        self.treeSize = treeSize
    }

    /// Adds the hashes of `tile`; there must be exactly `tile.width` of them. Replaces an earlier
    /// copy of the same tile only if this one is wider.
    public mutating func add(_ hashes: [MerkleHash], of tile: TileCoordinate) throws(MerkleError) {
        guard hashes.count == tile.width else {
            throw .invalidTileData(tile, byteCount: hashes.count * MerkleHash.byteCount)
        }
        let slot = Slot(level: tile.level, index: tile.index)
        if hashes.count > tiles[slot]?.count ?? 0 {
            tiles[slot] = hashes
        }
    }

    /// Adds a tile as served: `tile.width` hashes of 32 bytes, concatenated.
    public mutating func add<Bytes: Collection<UInt8>>(tileData: Bytes, of tile: TileCoordinate) throws(MerkleError) {
        guard tileData.count == tile.width * MerkleHash.byteCount else {
            throw .invalidTileData(tile, byteCount: tileData.count)
        }
        let bytes = Array(tileData)
        var hashes: [MerkleHash] = []
        hashes.reserveCapacity(tile.width)
        for start in stride(from: 0, to: bytes.count, by: MerkleHash.byteCount) {
            hashes.append(try MerkleHash(bytes: bytes[start..<(start + MerkleHash.byteCount)]))
        }
        try add(hashes, of: tile)
    }

    public func hash(of node: MerkleNodeID) throws -> MerkleHash {
        let (tile, positions) = try TileLayout.location(of: node, treeSize: treeSize)
        guard let stored = tiles[Slot(level: tile.level, index: tile.index)], positions.upperBound <= stored.count else {
            throw MerkleError.tileMissing(tile, node: node)
        }
        // Rebuild the levels between the tile's hashes and the node.
        var layer = Array(stored[positions])
        while layer.count > 1 {
            layer = stride(from: 0, to: layer.count, by: 2).map { MerkleHash.nodeHash(left: layer[$0], right: layer[$0 + 1]) }
        }
        return layer[0]
    }
}
