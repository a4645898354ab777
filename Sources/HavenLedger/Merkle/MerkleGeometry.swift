/// The shape of RFC 9162 trees and proofs, without any hashes: which leaf ranges a proof's
/// hashes cover and which stored (perfect) nodes each of those is built from. Knowing this
/// before hashing lets a log fetch exactly the tiles a proof needs.
public enum MerkleGeometry {
    /// The largest power of two strictly below `n` (`n >= 2`): the `k` of RFC 9162 §2.1.1.
    public static func largestPowerOfTwo(below n: UInt64) -> UInt64 {
        precondition(n >= 2, "a split needs at least two leaves, got \(n)")
        return 1 << (63 - (n - 1).leadingZeroBitCount)
    }

    /// The perfect nodes whose hashes `MTH(D[range])` is built from, left to right, following the
    /// RFC 9162 split. For the ranges that occur in proofs these are the binary decomposition of
    /// the range: one node per set bit of its length.
    public static func nodes(composing range: Range<UInt64>) -> [MerkleNodeID] {
        var nodes: [MerkleNodeID] = []
        collectNodes(range, into: &nodes)
        return nodes
    }

    private static func collectNodes(_ range: Range<UInt64>, into nodes: inout [MerkleNodeID]) {
        let count = range.upperBound - range.lowerBound
        precondition(count > 0, "an empty range has no nodes; its hash is MerkleHash.emptyTree")
        if count & (count - 1) == 0, range.lowerBound % count == 0 {
            let level = UInt8(count.trailingZeroBitCount)
            nodes.append(MerkleNodeID(level: level, index: range.lowerBound >> level))
            return
        }
        let split = range.lowerBound + largestPowerOfTwo(below: count)
        collectNodes(range.lowerBound..<split, into: &nodes)
        collectNodes(split..<range.upperBound, into: &nodes)
    }

    // MARK: Inclusion, RFC 9162 §2.1.3.1

    /// The leaf ranges whose `MTH`s form `PATH(index, D[treeSize])`, in proof order (from the
    /// leaf's sibling up to the root's other child).
    public static func inclusionProofRanges(index: UInt64, treeSize: UInt64) throws(MerkleError) -> [Range<UInt64>] {
        guard index < treeSize else { throw .indexBeyondTreeSize(index: index, treeSize: treeSize) }
        var ranges: [Range<UInt64>] = []
        // Walk down from the root; each step adds the sibling subtree, so reverse at the end.
        var lower: UInt64 = 0
        var upper = treeSize
        while upper - lower > 1 {
            let split = lower + largestPowerOfTwo(below: upper - lower)
            if index < split {
                ranges.append(split..<upper)
                upper = split
            } else {
                ranges.append(lower..<split)
                lower = split
            }
        }
        return ranges.reversed()
    }

    /// How many hashes an inclusion proof for `index < treeSize` has.
    public static func inclusionProofLength(index: UInt64, treeSize: UInt64) -> Int {
        precondition(index < treeSize, "leaf \(index) is not in a tree of \(treeSize) leaves")
        // Levels below the point where the paths to `index` and to the last leaf part, plus one
        // hash for each left sibling above it.
        let inner = 64 - (index ^ (treeSize - 1)).leadingZeroBitCount
        return inner + (index >> inner).nonzeroBitCount
    }

    // MARK: Consistency, RFC 9162 §2.1.4.1

    /// The leaf ranges whose `MTH`s form `PROOF(oldSize, D[newSize])`, in proof order. Empty when
    /// the sizes are equal; an error from the empty tree or when the old size is larger.
    public static func consistencyProofRanges(oldSize: UInt64, newSize: UInt64) throws(MerkleError) -> [Range<UInt64>] {
        guard oldSize <= newSize else { throw .oldSizeBeyondNewSize(oldSize: oldSize, newSize: newSize) }
        guard oldSize > 0 else { throw .consistencyFromEmptyTree(newSize: newSize) }
        // SUBPROOF(m, D[lower:upper], b), unrolled from the root down; reversed at the end.
        var ranges: [Range<UInt64>] = []
        var m = oldSize
        var lower: UInt64 = 0
        var upper = newSize
        var oldTreeIsWholeSubtree = true  // the `b` of SUBPROOF
        while m != upper - lower {
            let k = largestPowerOfTwo(below: upper - lower)
            if m <= k {
                ranges.append((lower + k)..<upper)
                upper = lower + k
            } else {
                ranges.append(lower..<(lower + k))
                lower += k
                m -= k
                oldTreeIsWholeSubtree = false
            }
        }
        if !oldTreeIsWholeSubtree {
            ranges.append(lower..<upper)
        }
        return ranges.reversed()
    }

    /// How many hashes a consistency proof for `0 < oldSize <= newSize` has.
    public static func consistencyProofLength(oldSize: UInt64, newSize: UInt64) -> Int {
        precondition(0 < oldSize && oldSize <= newSize, "no consistency proof from \(oldSize) to \(newSize)")
        if oldSize == newSize { return 0 }
        // The inclusion path of the old tree's last leaf, minus the levels inside the old tree's
        // rightmost perfect subtree, plus that subtree's own hash unless it is the whole old tree.
        let fork = 64 - ((oldSize - 1) ^ (newSize - 1)).leadingZeroBitCount
        let border = ((oldSize - 1) >> fork).nonzeroBitCount
        let shift = oldSize.trailingZeroBitCount
        let oldIsPerfect = oldSize & (oldSize - 1) == 0
        return (oldIsPerfect ? 0 : 1) + (fork - shift) + border
    }
}
