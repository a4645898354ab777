import HavenLedger
import Testing

/// Proofs answered from tiles alone equal proofs from the whole in-memory tree.
@Suite struct TileHashSourceTests {
    static let tree = MerkleTestSupport.numberedTree(size: 1000)

    /// The tiles of the tree cut at `treeSize`, serialised as a log would serve them.
    static func servedTiles(of tree: InMemoryMerkleTree, treeSize: UInt64) throws -> [TileCoordinate: [UInt8]] {
        var tiles: [TileCoordinate: [UInt8]] = [:]
        for tile in TileLayout.tiles(forTreeSize: treeSize) {
            tiles[tile] = try tree.prover.hashes(of: tile).flatMap(\.bytes)
        }
        return tiles
    }

    /// A source holding only `needed`, fetched from `served`.
    static func source(treeSize: UInt64, needed: [TileCoordinate], from served: [TileCoordinate: [UInt8]]) throws -> TileHashSource {
        var source = TileHashSource(treeSize: treeSize)
        for tile in needed {
            let data = try #require(served[tile], "\(tile.path) is needed but the tree of \(treeSize) has no such tile")
            try source.add(tileData: data, of: tile)
        }
        return source
    }

    static let sizes: [UInt64] = Array(1...70) + [127, 128, 129, 255, 256, 257, 300, 511, 512, 513, 700, 767, 768, 769, 999, 1000]

    /// Every index of small trees, and a spread (with both ends) of the larger ones.
    static func sample(_ range: Range<UInt64>) -> [UInt64] {
        guard range.count > 70 else { return Array(range) }
        return Array(Set(stride(from: range.lowerBound, to: range.upperBound, by: 13)).union([range.lowerBound, range.upperBound - 1])).sorted()
    }

    @Test(arguments: sizes)
    func proofsFromNeededTilesEqualProofsFromTheTree(treeSize: UInt64) throws {
        let served = try Self.servedTiles(of: Self.tree, treeSize: treeSize)
        let full = Self.tree.prover

        let rootSource = try Self.source(treeSize: treeSize, needed: TileLayout.tilesNeeded(forRootAt: treeSize), from: served)
        #expect(try MerkleProver(source: rootSource).rootHash(treeSize: treeSize) == full.rootHash(treeSize: treeSize))

        for index in Self.sample(0..<treeSize) {
            let needed = try TileLayout.tilesNeeded(forInclusionOf: index, treeSize: treeSize)
            let prover = MerkleProver(source: try Self.source(treeSize: treeSize, needed: needed, from: served))
            #expect(try prover.inclusionProof(index: index, treeSize: treeSize)
                == full.inclusionProof(index: index, treeSize: treeSize), "PATH(\(index), \(treeSize))")
        }
        for oldSize in Self.sample(1..<(treeSize + 1)) {
            let needed = try TileLayout.tilesNeeded(forConsistencyFrom: oldSize, to: treeSize)
            let prover = MerkleProver(source: try Self.source(treeSize: treeSize, needed: needed, from: served))
            #expect(try prover.consistencyProof(oldSize: oldSize, newSize: treeSize)
                == full.consistencyProof(oldSize: oldSize, newSize: treeSize), "PROOF(\(oldSize), \(treeSize))")
        }
    }

    @Test func tileContentsAreTheSpecsSubtreeHashes() throws {
        let leaves = try (0..<UInt64(1000)).map { try Self.tree.hash(of: .leaf($0)) }
        let level1 = try Self.tree.prover.hashes(of: TileCoordinate(level: 1, index: 0, width: 3))
        // MTH(D[(n * 256 + i) * 256**l : (n * 256 + i + 1) * 256**l]) with n = 0, l = 1.
        #expect(level1 == (0..<3).map { MerkleTestSupport.referenceRoot(leaves[($0 * 256)..<(($0 + 1) * 256)]) })
        #expect(try Self.tree.prover.hashes(of: TileCoordinate(level: 0, index: 3, width: 232)) == Array(leaves[768...]))
    }

    /// Levels 0, 1 and 2, with the spec's 70,000-entry tree and sizes around the 65,536 boundary.
    @Test func proofsAcrossThreeTileLevels() throws {
        let big = MerkleTestSupport.numberedTree(size: 70_000)
        for treeSize: UInt64 in [65_535, 65_536, 65_537, 70_000] {
            let served = try Self.servedTiles(of: big, treeSize: treeSize)
            let rootSource = try Self.source(treeSize: treeSize, needed: TileLayout.tilesNeeded(forRootAt: treeSize), from: served)
            #expect(try MerkleProver(source: rootSource).rootHash(treeSize: treeSize) == big.prover.rootHash(treeSize: treeSize))
            for index: UInt64 in [0, 5, 255, 256, 40_000, 65_535, treeSize - 1] where index < treeSize {
                let needed = try TileLayout.tilesNeeded(forInclusionOf: index, treeSize: treeSize)
                let prover = MerkleProver(source: try Self.source(treeSize: treeSize, needed: needed, from: served))
                #expect(try prover.inclusionProof(index: index, treeSize: treeSize)
                    == big.prover.inclusionProof(index: index, treeSize: treeSize), "PATH(\(index), \(treeSize))")
            }
            for oldSize: UInt64 in [1, 256, 1000, 65_535, 65_536, treeSize] where oldSize <= treeSize {
                let needed = try TileLayout.tilesNeeded(forConsistencyFrom: oldSize, to: treeSize)
                let prover = MerkleProver(source: try Self.source(treeSize: treeSize, needed: needed, from: served))
                #expect(try prover.consistencyProof(oldSize: oldSize, newSize: treeSize)
                    == big.prover.consistencyProof(oldSize: oldSize, newSize: treeSize), "PROOF(\(oldSize), \(treeSize))")
            }
        }
    }

    @Test func aFullTileServesASmallerTree() throws {
        let served = try Self.servedTiles(of: Self.tree, treeSize: 1000)
        var source = TileHashSource(treeSize: 600)
        // tile/0/002 is full at 1000 but .p/88 at 600; tile/1/000.p/3 is wider than .p/2.
        for tile in TileLayout.tiles(forTreeSize: 1000) {
            try source.add(tileData: try #require(served[tile]), of: tile)
        }
        let prover = MerkleProver(source: source)
        #expect(try prover.rootHash(treeSize: 600) == Self.tree.prover.rootHash(treeSize: 600))
        #expect(try prover.inclusionProof(index: 599, treeSize: 600) == Self.tree.prover.inclusionProof(index: 599, treeSize: 600))
    }

    @Test func aMissingOrNarrowTileIsNamed() throws {
        let served = try Self.servedTiles(of: Self.tree, treeSize: 1000)
        var source = TileHashSource(treeSize: 1000)
        let partial = try TileCoordinate(level: 0, index: 3, width: 232)
        #expect(throws: MerkleError.tileMissing(partial, node: .leaf(999))) { try source.hash(of: .leaf(999)) }
        // An older, narrower copy of the partial tile answers what it covers, and no more.
        let narrow = try partial.withWidth(100)
        try source.add(tileData: try #require(served[partial]).prefix(100 * 32), of: narrow)
        #expect(try source.hash(of: .leaf(800)) == Self.tree.hash(of: .leaf(800)))
        #expect(throws: MerkleError.tileMissing(partial, node: .leaf(999))) { try source.hash(of: .leaf(999)) }
        #expect(throws: MerkleError.nodeBeyondTreeSize(.leaf(1000), treeSize: 1000)) { try source.hash(of: .leaf(1000)) }
        #expect(MerkleError.tileMissing(partial, node: .leaf(999)).description.contains("tile/0/003.p/232"))
    }

    @Test func tileDataMustMatchItsWidth() throws {
        var source = TileHashSource(treeSize: 1000)
        let tile = try TileCoordinate(level: 0, index: 3, width: 232)
        #expect(throws: MerkleError.invalidTileData(tile, byteCount: 231 * 32)) {
            try source.add(tileData: [UInt8](repeating: 0, count: 231 * 32), of: tile)
        }
        #expect(throws: MerkleError.invalidTileData(tile, byteCount: 232 * 32 + 1)) {
            try source.add(tileData: [UInt8](repeating: 0, count: 232 * 32 + 1), of: tile)
        }
        #expect(throws: MerkleError.invalidTileData(tile, byteCount: 32)) { try source.add([.emptyTree], of: tile) }
    }
}
