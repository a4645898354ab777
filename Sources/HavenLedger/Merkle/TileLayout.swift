/// The C2SP tlog-tiles geometry of a tree (https://c2sp.org/tlog-tiles): which tiles a tree of
/// a given size consists of, which tiles a log writes as it grows, and which tiles hold the
/// nodes a root or proof needs. Pure arithmetic; fetching and storing tiles is the caller's.
public enum TileLayout {
    /// The tile `index` at `level` as it stands in a tree of `treeSize` entries (partial if the
    /// tree ends inside it), or nil when the tree has no hash in it yet.
    public static func tile(level: Int, index: UInt64, treeSize: UInt64) -> TileCoordinate? {
        guard (0...7).contains(level) else { return nil }
        let hashCount = treeSize >> (UInt64(level) * UInt64(TileCoordinate.height))
        let fullTiles = hashCount / UInt64(TileCoordinate.fullWidth)
        if index < fullTiles {
            return try? TileCoordinate(level: level, index: index)
        }
        let partialWidth = Int(hashCount % UInt64(TileCoordinate.fullWidth))
        guard index == fullTiles, partialWidth > 0 else { return nil }
        return try? TileCoordinate(level: level, index: index, width: partialWidth)
    }

    /// Every tile of a tree of `treeSize` entries, level by level and left to right: the full tiles
    /// and, where the tree ends inside one, the partial tile. Linear in the tree size; for large
    /// trees prefer `tilesAdded(from:to:)`.
    public static func tiles(forTreeSize treeSize: UInt64) -> [TileCoordinate] {
        tilesAdded(from: 0, to: treeSize)
    }

    /// The tiles that exist in a tree of `newSize` entries but not in one of `oldSize`: the tiles
    /// that became full and the new partial tiles. What a log writes when it grows; empty when
    /// `newSize <= oldSize`.
    public static func tilesAdded(from oldSize: UInt64, to newSize: UInt64) -> [TileCoordinate] {
        guard newSize > oldSize else { return [] }
        var tiles: [TileCoordinate] = []
        let width = UInt64(TileCoordinate.fullWidth)
        for level in 0...7 {
            let shift = UInt64(level) * UInt64(TileCoordinate.height)
            let oldCount = oldSize >> shift
            let newCount = newSize >> shift
            guard newCount > oldCount else { break }
            for index in (oldCount / width)..<(newCount / width) {
                tiles.append(try! TileCoordinate(level: level, index: index))  // inside a UInt64 tree
            }
            if newCount % width > 0 {
                tiles.append(try! TileCoordinate(level: level, index: newCount / width, width: Int(newCount % width)))
            }
        }
        return tiles
    }

    /// The tile that stores `node` in a tree of `treeSize` entries, at the width it has at that
    /// size. A node at a Merkle level that is a multiple of 8 is one hash of it; a node between
    /// those levels is computed from `2^(level % 8)` consecutive hashes of it.
    public static func tile(holding node: MerkleNodeID, treeSize: UInt64) throws(MerkleError) -> TileCoordinate {
        try location(of: node, treeSize: treeSize).tile
    }

    /// The tiles holding `nodes`, each once, in first-use order.
    public static func tiles(holding nodes: some Sequence<MerkleNodeID>, treeSize: UInt64) throws(MerkleError) -> [TileCoordinate] {
        var seen: Set<TileCoordinate> = []
        var tiles: [TileCoordinate] = []
        for node in nodes {
            let tile = try tile(holding: node, treeSize: treeSize)
            if seen.insert(tile).inserted {
                tiles.append(tile)
            }
        }
        return tiles
    }

    /// The tiles needed to compute the root of the tree of `treeSize` entries (none when empty).
    public static func tilesNeeded(forRootAt treeSize: UInt64) -> [TileCoordinate] {
        guard treeSize > 0 else { return [] }
        // Every node composing 0..<treeSize is inside the tree.
        return try! tiles(holding: MerkleGeometry.nodes(composing: 0..<treeSize), treeSize: treeSize)
    }

    /// The tiles needed for the inclusion proof of leaf `index` in the tree of `treeSize` entries.
    /// The leaf's own hash is not part of the proof; add `tile(holding: .leaf(index), …)` for it.
    public static func tilesNeeded(forInclusionOf index: UInt64, treeSize: UInt64) throws(MerkleError) -> [TileCoordinate] {
        let ranges = try MerkleGeometry.inclusionProofRanges(index: index, treeSize: treeSize)
        return try tiles(holding: ranges.flatMap { MerkleGeometry.nodes(composing: $0) }, treeSize: treeSize)
    }

    /// The tiles needed for the consistency proof from `oldSize` to `newSize`, read at `newSize`.
    public static func tilesNeeded(forConsistencyFrom oldSize: UInt64, to newSize: UInt64) throws(MerkleError) -> [TileCoordinate] {
        let ranges = try MerkleGeometry.consistencyProofRanges(oldSize: oldSize, newSize: newSize)
        return try tiles(holding: ranges.flatMap { MerkleGeometry.nodes(composing: $0) }, treeSize: newSize)
    }

    /// Where `node` lives: its tile at `treeSize`, and the positions in that tile of the hashes
    /// that `node` is computed from.
    static func location(of node: MerkleNodeID, treeSize: UInt64) throws(MerkleError) -> (tile: TileCoordinate, positions: Range<Int>) {
        let (end, overflow) = node.firstLeaf.addingReportingOverflow(node.leafCount)
        guard !overflow, end <= treeSize else { throw .nodeBeyondTreeSize(node, treeSize: treeSize) }
        let tileLevel = Int(node.level / TileCoordinate.height)
        let levelsInside = node.level % TileCoordinate.height
        let firstHash = node.index << levelsInside  // at Merkle level 8 * tileLevel
        let width = UInt64(TileCoordinate.fullWidth)
        // The node is complete, so its tile exists at this size and covers all its hashes.
        let tile = TileLayout.tile(level: tileLevel, index: firstHash / width, treeSize: treeSize)!
        let start = Int(firstHash % width)
        return (tile, start..<(start + (1 << levelsInside)))
    }
}
