/// One C2SP tlog-tiles hash tile (https://c2sp.org/tlog-tiles): tile `index` at tile `level`,
/// `width` hashes wide (256 when full). Its hashes are the nodes at Merkle level `8 * level`
/// numbered `index * 256 ..< index * 256 + width`; it is served at `tile/<L>/<N>[.p/<W>]`.
public struct TileCoordinate: Hashable, Sendable {
    /// Merkle levels spanned by one tile.
    public static let height: UInt8 = 8
    /// Hashes in a full tile.
    public static let fullWidth = 256

    /// The tile level `L`; its hashes sit at Merkle level `8 * L`.
    public let level: UInt8
    /// The tile index `N` within its level.
    public let index: UInt64
    /// How many hashes the tile holds, 1...256; below 256 the tile is partial.
    public let width: Int

    /// A tile; throws when the level or width is outside tlog-tiles, or when the tile would
    /// reach beyond the 2^64 entries a log can index.
    public init(level: Int, index: UInt64, width: Int = TileCoordinate.fullWidth) throws(MerkleError) {
        guard (0...63).contains(level) else { throw .invalidTile(reason: "level \(level) is outside 0...63") }
        guard (1...Self.fullWidth).contains(width) else { throw .invalidTile(reason: "width \(width) is outside 1...256") }
        guard Self.endEntry(level: level, nodeEnd: (index, width)) != nil else {
            throw .invalidTile(reason: "tile \(index) of width \(width) at level \(level) would cover entries beyond 2^64")
        }
        self.level = UInt8(level)
        self.index = index
        self.width = width
    }

    /// Reads a `tile/<L>/<N>[.p/<W>]` path, rejecting any non-canonical spelling so that each tile
    /// has exactly one path. Entry bundle paths (`tile/entries/...`) are `EntryBundleCoordinate`'s.
    public init(path: String) throws(MerkleError) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)[...]
        guard parts.popFirst() == "tile", let levelText = parts.popFirst() else {
            throw .invalidTilePath(path, reason: "expected tile/<L>/<N>[.p/<W>]")
        }
        guard levelText != "entries" else {
            throw .invalidTilePath(path, reason: "this is an entry bundle path, not a hash tile path")
        }
        guard let level = TilePathEncoding.decimal(levelText), level <= 63 else {
            throw .invalidTilePath(path, reason: "the level must be 0...63 without leading zeros")
        }
        let (index, width) = try TilePathEncoding.parseIndexAndWidth(parts, path: path)
        do {
            try self.init(level: level, index: index, width: width)
        } catch {
            throw .invalidTilePath(path, reason: error.description)
        }
    }

    /// Whether the tile holds fewer than 256 hashes.
    public var isPartial: Bool { width < Self.fullWidth }

    /// The tile's path below the log prefix, `tile/<L>/<N>[.p/<W>]`.
    public var path: String {
        "tile/\(level)/" + TilePathEncoding.encode(index: index, width: width)
    }

    /// The Merkle level of the hashes this tile holds, `8 * level`.
    public var merkleLevel: UInt8 { level * Self.height }

    /// The nodes whose hashes the tile holds, in order.
    public var nodes: [MerkleNodeID] {
        let first = index * UInt64(Self.fullWidth)
        return (0..<UInt64(width)).map { MerkleNodeID(level: merkleLevel, index: first + $0) }
    }

    /// The log entries the tile's hashes cover: `index * 256^(level+1)` up to the end of its last hash.
    public var entryRange: Range<UInt64> {
        let levelShift = UInt64(merkleLevel)
        let start = (index * UInt64(Self.fullWidth)) << levelShift
        return start..<Self.endEntry(level: Int(level), nodeEnd: (index, width))!
    }

    /// The same tile at another width (a partial tile and the full tile it grows into).
    public func withWidth(_ width: Int) throws(MerkleError) -> TileCoordinate {
        try TileCoordinate(level: Int(level), index: index, width: width)
    }

    /// One past the last entry covered, or nil when that is beyond `UInt64.max`.
    private static func endEntry(level: Int, nodeEnd: (index: UInt64, width: Int)) -> UInt64? {
        let (first, overflowA) = nodeEnd.index.multipliedReportingOverflow(by: UInt64(fullWidth))
        let (end, overflowB) = first.addingReportingOverflow(UInt64(nodeEnd.width))
        let shift = level * Int(height)
        guard !overflowA, !overflowB, shift < 64, end <= UInt64.max >> shift else { return nil }
        return end << shift
    }
}

extension TileCoordinate: CustomStringConvertible {
    public var description: String { path }
}

/// The `<N>[.p/<W>]` part shared by hash tile and entry bundle paths.
enum TilePathEncoding {
    /// `1234067` → `x001/x234/067`; `.p/<W>` is added for partial widths.
    static func encode(index: UInt64, width: Int) -> String {
        var groups: [String] = []
        var rest = index
        repeat {
            let group = String(rest % 1000)
            groups.append(String(repeating: "0", count: 3 - group.count) + group)
            rest /= 1000
        } while rest > 0
        let encoded = groups.reversed().enumerated()
            .map { position, group in position == groups.count - 1 ? group : "x" + group }
            .joined(separator: "/")
        return width < TileCoordinate.fullWidth ? encoded + ".p/\(width)" : encoded
    }

    /// Parses the path elements after the level (or after `entries`).
    static func parseIndexAndWidth(_ parts: ArraySlice<Substring>, path: String) throws(MerkleError) -> (UInt64, Int) {
        var parts = parts
        var width = TileCoordinate.fullWidth
        if parts.count >= 2, parts[parts.endIndex - 2].hasSuffix(".p") {
            let widthText = parts.removeLast()
            guard let parsed = decimal(widthText), (1..<TileCoordinate.fullWidth).contains(parsed) else {
                throw .invalidTilePath(path, reason: "a partial width must be 1...255 without leading zeros")
            }
            width = parsed
            let last = parts.removeLast()
            parts.append(last.dropLast(2))
        }
        guard !parts.isEmpty else { throw .invalidTilePath(path, reason: "the tile index is missing") }
        var index: UInt64 = 0
        for (position, element) in parts.enumerated() {
            let isLast = position == parts.count - 1
            var digits = element[...]
            if !isLast {
                guard digits.first == "x" else {
                    throw .invalidTilePath(path, reason: "every index element but the last starts with 'x'")
                }
                digits = digits.dropFirst()
            }
            guard digits.count == 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let group = UInt64(digits) else {
                throw .invalidTilePath(path, reason: "index elements are three digits, like x001/x234/067")
            }
            guard position > 0 || isLast || group > 0 else {
                throw .invalidTilePath(path, reason: "the index has a leading x000 element")
            }
            let (scaled, overflowA) = index.multipliedReportingOverflow(by: 1000)
            let (sum, overflowB) = scaled.addingReportingOverflow(group)
            guard !overflowA, !overflowB else { throw .invalidTilePath(path, reason: "the index does not fit 64 bits") }
            index = sum
        }
        return (index, width)
    }

    /// A decimal number with no sign and no leading zeros.
    static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 18, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard text == "0" || text.first != "0" else { return nil }
        return Int(text)
    }
}
