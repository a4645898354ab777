/// One C2SP tlog-tiles entry bundle: entries `index * 256 ..< index * 256 + width`, served at
/// `tile/entries/<N>[.p/<W>]`. Its entries hash to the level-0 tile of the same index and width.
public struct EntryBundleCoordinate: Hashable, Sendable {
    /// The bundle index `N`.
    public let index: UInt64
    /// How many entries the bundle holds, 1...256; below 256 the bundle is partial.
    public let width: Int

    /// A bundle; throws when the width is outside 1...256 or the entries would pass 2^64.
    public init(index: UInt64, width: Int = TileCoordinate.fullWidth) throws(MerkleError) {
        let tile = try TileCoordinate(level: 0, index: index, width: width)
        self.index = tile.index
        self.width = tile.width
    }

    /// Reads a `tile/entries/<N>[.p/<W>]` path, rejecting non-canonical spellings.
    public init(path: String) throws(MerkleError) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)[...]
        guard parts.popFirst() == "tile", parts.popFirst() == "entries" else {
            throw .invalidTilePath(path, reason: "expected tile/entries/<N>[.p/<W>]")
        }
        let (index, width) = try TilePathEncoding.parseIndexAndWidth(parts, path: path)
        do {
            try self.init(index: index, width: width)
        } catch {
            throw .invalidTilePath(path, reason: error.description)
        }
    }

    /// The bundle for the level-0 tile `tile`; nil for tiles above level 0.
    public init?(hashTile tile: TileCoordinate) {
        guard tile.level == 0 else { return nil }
        index = tile.index
        width = tile.width
    }

    /// Whether the bundle holds fewer than 256 entries.
    public var isPartial: Bool { width < TileCoordinate.fullWidth }

    /// The bundle's path below the log prefix, `tile/entries/<N>[.p/<W>]`.
    public var path: String {
        "tile/entries/" + TilePathEncoding.encode(index: index, width: width)
    }

    /// The level-0 tile holding the leaf hashes of these entries.
    public var hashTile: TileCoordinate {
        // Validated in init: the same index and width make a valid level-0 tile.
        try! TileCoordinate(level: 0, index: index, width: width)
    }

    /// The indexes of the entries in the bundle.
    public var entryRange: Range<UInt64> { hashTile.entryRange }
}

extension EntryBundleCoordinate: CustomStringConvertible {
    public var description: String { path }
}
