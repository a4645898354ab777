import HavenLedger
import Testing

/// Which subtrees proofs consist of, checked against the examples of RFC 9162 §2.1.5.
@Suite struct MerkleGeometryTests {
    @Test func largestPowerOfTwoBelow() {
        let cases: [(UInt64, UInt64)] = [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (1 << 63, 1 << 62), (UInt64.max, 1 << 63)]
        for (n, k) in cases {
            #expect(MerkleGeometry.largestPowerOfTwo(below: n) == k, "n = \(n)")
        }
    }

    @Test func rangesSplitIntoPerfectNodesLeftToRight() {
        #expect(MerkleGeometry.nodes(composing: 0..<7) == [
            MerkleNodeID(level: 2, index: 0), MerkleNodeID(level: 1, index: 2), MerkleNodeID(level: 0, index: 6),
        ])
        #expect(MerkleGeometry.nodes(composing: 4..<7) == [MerkleNodeID(level: 1, index: 2), .leaf(6)])
        #expect(MerkleGeometry.nodes(composing: 256..<512) == [MerkleNodeID(level: 8, index: 1)])
        // An unaligned range still splits the RFC way, down to whatever is aligned.
        #expect(MerkleGeometry.nodes(composing: 1..<3) == [.leaf(1), .leaf(2)])
    }

    /// RFC 9162 §2.1.5: in the 7-leaf tree, the audit path of d (leaf 3) is [c, g, l].
    @Test func inclusionPathOfTheRFCExample() throws {
        #expect(try MerkleGeometry.inclusionProofRanges(index: 3, treeSize: 7) == [2..<3, 0..<2, 4..<7])
        #expect(try MerkleGeometry.inclusionProofRanges(index: 0, treeSize: 7) == [1..<2, 2..<4, 4..<7])  // a: [b, h, l]
        #expect(try MerkleGeometry.inclusionProofRanges(index: 6, treeSize: 7) == [4..<6, 0..<4])  // j: [i, k]
        #expect(try MerkleGeometry.inclusionProofRanges(index: 0, treeSize: 1) == [])
    }

    /// RFC 9162 §2.1.5: from the 7-leaf tree back to sizes 3, 4 and 6.
    @Test func consistencyProofsOfTheRFCExample() throws {
        #expect(try MerkleGeometry.consistencyProofRanges(oldSize: 3, newSize: 7) == [2..<3, 3..<4, 0..<2, 4..<7])  // [c, d, g, l]
        #expect(try MerkleGeometry.consistencyProofRanges(oldSize: 4, newSize: 7) == [4..<7])  // [l]
        #expect(try MerkleGeometry.consistencyProofRanges(oldSize: 6, newSize: 7) == [4..<6, 6..<7, 0..<4])  // [i, j, k]
        #expect(try MerkleGeometry.consistencyProofRanges(oldSize: 7, newSize: 7) == [])
    }

    @Test func lengthFormulasAgreeWithTheRecursion() throws {
        for n in UInt64(1)...200 {
            for m in 0..<n {
                #expect(try MerkleGeometry.inclusionProofRanges(index: m, treeSize: n).count
                    == MerkleGeometry.inclusionProofLength(index: m, treeSize: n), "PATH(\(m), \(n))")
            }
            for m in 1...n {
                #expect(try MerkleGeometry.consistencyProofRanges(oldSize: m, newSize: n).count
                    == MerkleGeometry.consistencyProofLength(oldSize: m, newSize: n), "PROOF(\(m), \(n))")
            }
        }
        #expect(MerkleGeometry.inclusionProofLength(index: 0, treeSize: UInt64.max) == 64)
        #expect(MerkleGeometry.consistencyProofLength(oldSize: 1, newSize: UInt64.max) == 64)
    }

    @Test func proofsOutsideTheTreeAreRefused() {
        #expect(throws: MerkleError.indexBeyondTreeSize(index: 7, treeSize: 7)) {
            try MerkleGeometry.inclusionProofRanges(index: 7, treeSize: 7)
        }
        #expect(throws: MerkleError.oldSizeBeyondNewSize(oldSize: 8, newSize: 7)) {
            try MerkleGeometry.consistencyProofRanges(oldSize: 8, newSize: 7)
        }
        #expect(throws: MerkleError.consistencyFromEmptyTree(newSize: 7)) {
            try MerkleGeometry.consistencyProofRanges(oldSize: 0, newSize: 7)
        }
    }
}
