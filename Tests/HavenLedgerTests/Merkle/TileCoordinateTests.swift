import HavenLedger
import Testing

/// Tile and entry-bundle paths of C2SP tlog-tiles.
@Suite struct TileCoordinateTests {
    /// The spec's example: index 1234067 is `x001/x234/067`.
    @Test func indexesAreThreeDigitGroupsWithX() throws {
        let cases: [(UInt64, String)] = [
            (0, "000"), (7, "007"), (999, "999"), (1000, "x001/000"), (1234, "x001/234"),
            (1_234_067, "x001/x234/067"), (1_000_000, "x001/x000/000"),
        ]
        for (index, encoded) in cases {
            #expect(try TileCoordinate(level: 0, index: index).path == "tile/0/" + encoded)
            #expect(try EntryBundleCoordinate(index: index).path == "tile/entries/" + encoded)
        }
    }

    @Test func hashTilePaths() throws {
        #expect(try TileCoordinate(level: 0, index: 1_234_067).path == "tile/0/x001/x234/067")
        #expect(try TileCoordinate(level: 0, index: 273, width: 112).path == "tile/0/273.p/112")
        #expect(try TileCoordinate(level: 1, index: 1, width: 17).path == "tile/1/001.p/17")
        #expect(try TileCoordinate(level: 2, index: 0, width: 1).path == "tile/2/000.p/1")
        #expect(try TileCoordinate(level: 3, index: 5).path == "tile/3/005")
        #expect(try TileCoordinate(level: 0, index: 1_234_067, width: 5).description == "tile/0/x001/x234/067.p/5")
    }

    @Test func entryBundlePaths() throws {
        let bundle = try EntryBundleCoordinate(index: 1_234_067, width: 5)
        #expect(bundle.path == "tile/entries/x001/x234/067.p/5")
        #expect(bundle.isPartial)
        #expect(bundle.hashTile == (try TileCoordinate(level: 0, index: 1_234_067, width: 5)))
        let first: UInt64 = 1_234_067 * 256
        #expect(bundle.entryRange == first..<(first + 5))
        #expect(EntryBundleCoordinate(hashTile: bundle.hashTile) == bundle)
        #expect(EntryBundleCoordinate(hashTile: try TileCoordinate(level: 1, index: 0)) == nil)
        #expect(try EntryBundleCoordinate(index: 2).path == "tile/entries/002")
    }

    @Test func pathsReadBackToTheSameTile() throws {
        let tiles = try [
            TileCoordinate(level: 0, index: 0), TileCoordinate(level: 0, index: 0, width: 1),
            TileCoordinate(level: 0, index: 1_234_067, width: 255), TileCoordinate(level: 1, index: 999),
            TileCoordinate(level: 2, index: 1000, width: 3), TileCoordinate(level: 7, index: 0, width: 255),
            TileCoordinate(level: 0, index: UInt64.max / 256 - 1),
        ]
        for tile in tiles {
            #expect(try TileCoordinate(path: tile.path) == tile)
            let bundle = EntryBundleCoordinate(hashTile: try tile.withWidth(tile.width))
            if let bundle {
                #expect(try EntryBundleCoordinate(path: bundle.path) == bundle)
            }
        }
    }

    @Test(arguments: [
        "tile/00/000", "tile/0/1", "tile/0/0001", "tile/0/x000/001", "tile/0/001/002", "tile/0/x01/002",
        "tile/0/000.p/256", "tile/0/000.p/0", "tile/0/000.p/05", "tile/0/000.p/", "tile/0/000.p", "tile/64/000",
        "tile/8/000.p/1", "tile/7/000", "tile/entries/000", "tile/0/", "tile/0", "tiles/0/000", "/tile/0/000",
        "tile/0/000/", "tile/-1/000", "tile/0/x999/x999/x999/x999/x999/x999/x999/999", "tile/0/+01",
    ])
    func malformedHashTilePathsAreRefused(path: String) {
        #expect {
            try TileCoordinate(path: path)
        } throws: { error in
            guard case .invalidTilePath(let refused, _)? = error as? MerkleError else { return false }
            return refused == path
        }
    }

    @Test(arguments: ["tile/entries/1", "tile/entries/000.p/256", "tile/0/000", "tile/entries", "tile/entries/x000/001"])
    func malformedEntryBundlePathsAreRefused(path: String) {
        #expect(throws: MerkleError.self) { try EntryBundleCoordinate(path: path) }
    }

    @Test func coordinatesStayInsideTlogTiles() throws {
        #expect(throws: MerkleError.self) { try TileCoordinate(level: 0, index: 0, width: 0) }
        #expect(throws: MerkleError.self) { try TileCoordinate(level: 0, index: 0, width: 257) }
        #expect(throws: MerkleError.self) { try TileCoordinate(level: 64, index: 0) }
        #expect(throws: MerkleError.self) { try TileCoordinate(level: -1, index: 0) }
        // A level-7 hash covers 2^56 entries, so a full level-7 tile would need 2^64.
        #expect(throws: MerkleError.self) { try TileCoordinate(level: 7, index: 0) }
        #expect(throws: MerkleError.self) { try TileCoordinate(level: 0, index: UInt64.max / 256 + 1) }
        #expect(throws: MerkleError.self) { try EntryBundleCoordinate(index: 0, width: 300) }
    }

    @Test func tilesKnowWhatTheyHold() throws {
        let tile = try TileCoordinate(level: 1, index: 2, width: 3)
        #expect(tile.isPartial)
        #expect(tile.merkleLevel == 8)
        #expect(tile.nodes == (512..<515).map { MerkleNodeID(level: 8, index: $0) })
        // The spec's start index n * 256^(l+1), and the end of the last hash it holds.
        let start: UInt64 = 2 * 65_536
        #expect(tile.entryRange == start..<(start + 3 * 256))
        #expect(try tile.withWidth(256).entryRange == start..<(start + 65_536))
        #expect(!(try TileCoordinate(level: 0, index: 0)).isPartial)
    }
}
