/// Checks RFC 9162 inclusion and consistency proofs, step for step as §2.1.3.2 and §2.1.4.2
/// write them (the `fn`, `sn`, `r` algorithms). The proof length is checked first so a wrong
/// length is reported as such rather than as a root mismatch.
public enum MerkleVerifier {
    /// Succeeds when `proof` shows that `leafHash` is leaf `index` of the tree of `treeSize`
    /// leaves whose root is `root` (RFC 9162 §2.1.3.2).
    public static func verifyInclusion(
        leafHash: MerkleHash, index: UInt64, treeSize: UInt64, proof: [MerkleHash], root: MerkleHash
    ) throws(MerkleError) {
        let computed = try rootFromInclusionProof(leafHash: leafHash, index: index, treeSize: treeSize, proof: proof)
        guard computed == root else { throw .rootMismatch(expected: root, computed: computed) }
    }

    /// The root that `proof` leads to from `leafHash` at `index` (the `r` of RFC 9162 §2.1.3.2);
    /// compare it with a trusted root, or use `verifyInclusion`.
    public static func rootFromInclusionProof(
        leafHash: MerkleHash, index: UInt64, treeSize: UInt64, proof: [MerkleHash]
    ) throws(MerkleError) -> MerkleHash {
        // 1. leaf_index >= tree_size fails.
        guard index < treeSize else { throw .indexBeyondTreeSize(index: index, treeSize: treeSize) }
        let expectedLength = MerkleGeometry.inclusionProofLength(index: index, treeSize: treeSize)
        guard proof.count == expectedLength else { throw .wrongProofLength(expected: expectedLength, actual: proof.count) }
        // 2. and 3.
        var fn = index
        var sn = treeSize - 1
        var r = leafHash
        // 4.
        for p in proof {
            // 4a. Cannot happen after the length check; kept because the RFC has it.
            guard sn != 0 else { throw .wrongProofLength(expected: expectedLength, actual: proof.count) }
            if fn & 1 == 1 || fn == sn {
                r = .nodeHash(left: p, right: r)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = .nodeHash(left: r, right: p)
            }
            fn >>= 1
            sn >>= 1
        }
        // 5. sn must be 0; the caller compares r with the root.
        guard sn == 0 else { throw .wrongProofLength(expected: expectedLength, actual: proof.count) }
        return r
    }

    /// Succeeds when `proof` shows that the tree of `newSize` leaves with root `newRoot` extends
    /// the tree of `oldSize` leaves with root `oldRoot` (RFC 9162 §2.1.4.2). Equal sizes need an
    /// empty proof and equal roots; a proof from the empty tree is refused as meaningless.
    public static func verifyConsistency(
        oldSize: UInt64, newSize: UInt64, oldRoot: MerkleHash, newRoot: MerkleHash, proof: [MerkleHash]
    ) throws(MerkleError) {
        guard oldSize <= newSize else { throw .oldSizeBeyondNewSize(oldSize: oldSize, newSize: newSize) }
        guard oldSize > 0 else { throw .consistencyFromEmptyTree(newSize: newSize) }
        let expectedLength = MerkleGeometry.consistencyProofLength(oldSize: oldSize, newSize: newSize)
        guard proof.count == expectedLength else { throw .wrongProofLength(expected: expectedLength, actual: proof.count) }
        if oldSize == newSize {
            guard oldRoot == newRoot else { throw .newRootMismatch(expected: newRoot, computed: oldRoot) }
            return
        }
        // 1. An empty path fails; the length check above has already refused it.
        // 2. If first is an exact power of 2, prepend first_hash.
        let path = oldSize & (oldSize - 1) == 0 ? [oldRoot] + proof : proof
        // 3.
        var fn = oldSize - 1
        var sn = newSize - 1
        // 4.
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        // 5.
        var fr = path[0]
        var sr = path[0]
        // 6.
        for c in path.dropFirst() {
            // 6a. Cannot happen after the length check; kept because the RFC has it.
            guard sn != 0 else { throw .wrongProofLength(expected: expectedLength, actual: proof.count) }
            if fn & 1 == 1 || fn == sn {
                fr = .nodeHash(left: c, right: fr)
                sr = .nodeHash(left: c, right: sr)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = .nodeHash(left: sr, right: c)
            }
            fn >>= 1
            sn >>= 1
        }
        // 7.
        guard sn == 0 else { throw .wrongProofLength(expected: expectedLength, actual: proof.count) }
        guard fr == oldRoot else { throw .oldRootMismatch(expected: oldRoot, computed: fr) }
        guard sr == newRoot else { throw .newRootMismatch(expected: newRoot, computed: sr) }
    }
}
