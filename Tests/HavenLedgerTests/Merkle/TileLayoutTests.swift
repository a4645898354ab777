import HavenLedger
import Testing

/// Which tiles make up a tree and which hold the nodes a proof needs (C2SP tlog-tiles).
@Suite struct TileLayoutTests {
    /// The spec: "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial
    /// level 0 tile of width 112, one full level 1 tile, one partial level 1 tile of width 17, and
    /// one partial level 2 tile of width 1".
    @Test func theSpecsTreeOf70000() throws {
        let tiles = TileLayout.tiles(forTreeSize: 70_000)
        let level0 = tiles.filter { $0.level == 0 }
        #expect(level0.count == 274)
        #expect(level0.filter { !$0.isPartial }.map(\.index) == Array(0..<273))
        #expect(level0.last == (try TileCoordinate(level: 0, index: 273, width: 112)))
        #expect(tiles.filter { $0.level == 1 } == [try TileCoordinate(level: 1, index: 0), try TileCoordinate(level: 1, index: 1, width: 17)])
        #expect(tiles.filter { $0.level == 2 } == [try TileCoordinate(level: 2, index: 0, width: 1)])
        #expect(tiles.count == 277)
    }

    /// The spec: "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of width 1".
    @Test func theSpecsTreeOf256() throws {
        #expect(TileLayout.tiles(forTreeSize: 256).map(\.path) == ["tile/0/000", "tile/1/000.p/1"])
        #expect(TileLayout.tiles(forTreeSize: 0) == [])
        #expect(TileLayout.tiles(forTreeSize: 1).map(\.path) == ["tile/0/000.p/1"])
    }

    @Test func partialWidthIsTheSpecsFormula() throws {
        // floor(s / 256^l) mod 256 entries in the partial tile at level l.
        for size: UInt64 in [1, 255, 256, 257, 65_535, 65_536, 70_000, 16_777_217, 1 << 40 | 12_345] {
            for level in 0...4 {
                let width = Int((size >> (8 * UInt64(level))) % 256)
                let partial = TileLayout.tile(level: level, index: (size >> (8 * UInt64(level))) / 256, treeSize: size)
                #expect(partial?.width == (width == 0 ? nil : width), "size \(size) level \(level)")
            }
        }
    }

    @Test func tilesAddedAreTheDifferenceOfTheTwoTrees() {
        let sizes: [UInt64] = [0, 1, 2, 255, 256, 257, 511, 512, 600, 1000, 65_535, 65_536, 65_537, 70_000]
        for old in sizes {
            for new in sizes where new >= old {
                let expected = Set(TileLayout.tiles(forTreeSize: new)).subtracting(TileLayout.tiles(forTreeSize: old))
                let added = TileLayout.tilesAdded(from: old, to: new)
                #expect(Set(added) == expected, "\(old) -> \(new)")
                #expect(added.count == expected.count)
            }
        }
        #expect(TileLayout.tilesAdded(from: 10, to: 5) == [])
        #expect(TileLayout.tilesAdded(from: 300, to: 301).map(\.path) == ["tile/0/001.p/45"])
        #expect(TileLayout.tilesAdded(from: 511, to: 512).map(\.path) == ["tile/0/001", "tile/1/000.p/2"])
    }

    @Test func nodesLiveInTheTileOfTheirLevel() throws {
        // A leaf: its level-0 tile at the width it has at this size.
        #expect(try TileLayout.tile(holding: .leaf(300), treeSize: 1000).path == "tile/0/001")
        #expect(try TileLayout.tile(holding: .leaf(999), treeSize: 1000).path == "tile/0/003.p/232")
        // Between tile levels: computed from 8 hashes of the level-0 tile.
        #expect(try TileLayout.tile(holding: MerkleNodeID(level: 3, index: 1), treeSize: 1000).path == "tile/0/000")
        // At a multiple of 8: one hash of the level above.
        #expect(try TileLayout.tile(holding: MerkleNodeID(level: 8, index: 0), treeSize: 256).path == "tile/1/000.p/1")
        #expect(try TileLayout.tile(holding: MerkleNodeID(level: 9, index: 0), treeSize: 1000).path == "tile/1/000.p/3")
        #expect(try TileLayout.tile(holding: MerkleNodeID(level: 16, index: 0), treeSize: 70_000).path == "tile/2/000.p/1")
        #expect(throws: MerkleError.nodeBeyondTreeSize(MerkleNodeID(level: 8, index: 0), treeSize: 255)) {
            try TileLayout.tile(holding: MerkleNodeID(level: 8, index: 0), treeSize: 255)
        }
    }

    @Test func tilesNeededForProofs() throws {
        #expect(TileLayout.tilesNeeded(forRootAt: 0) == [])
        #expect(TileLayout.tilesNeeded(forRootAt: 256).map(\.path) == ["tile/1/000.p/1"])
        #expect(TileLayout.tilesNeeded(forRootAt: 70_000).map(\.path)
            == ["tile/2/000.p/1", "tile/1/001.p/17", "tile/0/273.p/112"])
        // Leaf 5 of 70,000: siblings up to level 7 inside tile 0/000, levels 8...15 from tile 1/000,
        // then the right part 65,536..<70,000 (4096 + 256 + 112 entries) from the partial tiles.
        #expect(try TileLayout.tilesNeeded(forInclusionOf: 5, treeSize: 70_000).map(\.path)
            == ["tile/0/000", "tile/1/000", "tile/1/001.p/17", "tile/0/273.p/112"])
        #expect(try TileLayout.tilesNeeded(forConsistencyFrom: 65_536, to: 70_000).map(\.path)
            == ["tile/1/001.p/17", "tile/0/273.p/112"])
        #expect(throws: MerkleError.indexBeyondTreeSize(index: 70_000, treeSize: 70_000)) {
            try TileLayout.tilesNeeded(forInclusionOf: 70_000, treeSize: 70_000)
        }
    }
}
