import Foundation
import HavenLedger
import Testing

/// Proof generation: every generated proof verifies, any corrupted one does not, and the proofs
/// equal those in the transparency-dev/merkle vectors.
@Suite struct MerkleProverTests {
    static let maxSize = 70
    static let tree = MerkleTestSupport.numberedTree(size: maxSize)

    @Test func rootsEqualTheRFCDefinitionAtEverySize() throws {
        let leaves = try (0..<UInt64(Self.maxSize)).map { try Self.tree.hash(of: .leaf($0)) }
        for size in 0...Self.maxSize {
            #expect(try Self.tree.prover.rootHash(treeSize: UInt64(size)) == MerkleTestSupport.referenceRoot(leaves[..<size]))
        }
    }

    @Test func subtreeHashesEqualTheRFCDefinitionForEveryRange() throws {
        let leaves = try (0..<UInt64(Self.maxSize)).map { try Self.tree.hash(of: .leaf($0)) }
        for end in 1...Self.maxSize {
            for start in 0..<end {
                #expect(try Self.tree.prover.hash(ofSubtree: UInt64(start)..<UInt64(end))
                    == MerkleTestSupport.referenceRoot(leaves[start..<end]), "\(start)..<\(end)")
            }
        }
    }

    @Test(arguments: 1...maxSize)
    func inclusionProofsVerifyAndAnyFlippedBitFails(treeSize: Int) throws {
        let n = UInt64(treeSize)
        let root = try Self.tree.prover.rootHash(treeSize: n)
        for index in 0..<n {
            let leaf = try Self.tree.hash(of: .leaf(index))
            let proof = try Self.tree.prover.inclusionProof(index: index, treeSize: n)
            #expect(proof.count == MerkleGeometry.inclusionProofLength(index: index, treeSize: n))
            try MerkleVerifier.verifyInclusion(leafHash: leaf, index: index, treeSize: n, proof: proof, root: root)
            for position in proof.indices {
                var corrupted = proof
                corrupted[position] = MerkleTestSupport.flipping(bit: (position * 37 + Int(index)) % 256, of: proof[position])
                #expect(throws: MerkleError.self, "PATH(\(index), \(n)) element \(position)") {
                    try MerkleVerifier.verifyInclusion(leafHash: leaf, index: index, treeSize: n, proof: corrupted, root: root)
                }
            }
            #expect(throws: MerkleError.self) {
                try MerkleVerifier.verifyInclusion(
                    leafHash: MerkleTestSupport.flipping(bit: 255, of: leaf), index: index, treeSize: n, proof: proof, root: root)
            }
            if n > 1 {
                // The same proof does not pass for a neighbouring leaf position.
                let other = (index + 1) % n
                #expect(throws: MerkleError.self) {
                    try MerkleVerifier.verifyInclusion(leafHash: leaf, index: other, treeSize: n, proof: proof, root: root)
                }
            }
        }
    }

    @Test(arguments: 1...maxSize)
    func consistencyProofsVerifyAndAnyFlippedBitFails(newSize: Int) throws {
        let n = UInt64(newSize)
        let newRoot = try Self.tree.prover.rootHash(treeSize: n)
        for m in 1...n {
            let oldRoot = try Self.tree.prover.rootHash(treeSize: m)
            let proof = try Self.tree.prover.consistencyProof(oldSize: m, newSize: n)
            #expect(proof.count == MerkleGeometry.consistencyProofLength(oldSize: m, newSize: n))
            try MerkleVerifier.verifyConsistency(oldSize: m, newSize: n, oldRoot: oldRoot, newRoot: newRoot, proof: proof)
            for position in proof.indices {
                var corrupted = proof
                corrupted[position] = MerkleTestSupport.flipping(bit: (position * 53 + Int(m)) % 256, of: proof[position])
                #expect(throws: MerkleError.self, "PROOF(\(m), \(n)) element \(position)") {
                    try MerkleVerifier.verifyConsistency(oldSize: m, newSize: n, oldRoot: oldRoot, newRoot: newRoot, proof: corrupted)
                }
            }
            #expect(throws: MerkleError.self) {
                try MerkleVerifier.verifyConsistency(
                    oldSize: m, newSize: n, oldRoot: MerkleTestSupport.flipping(bit: 7, of: oldRoot), newRoot: newRoot, proof: proof)
            }
            #expect(throws: MerkleError.self) {
                try MerkleVerifier.verifyConsistency(
                    oldSize: m, newSize: n, oldRoot: oldRoot, newRoot: MerkleTestSupport.flipping(bit: 7, of: newRoot), proof: proof)
            }
            if m < n {
                #expect(throws: MerkleError.wrongProofLength(expected: proof.count, actual: proof.count - 1)) {
                    try MerkleVerifier.verifyConsistency(oldSize: m, newSize: n, oldRoot: oldRoot, newRoot: newRoot, proof: proof.dropLast())
                }
            }
            #expect(throws: MerkleError.wrongProofLength(expected: proof.count, actual: proof.count + 1)) {
                try MerkleVerifier.verifyConsistency(oldSize: m, newSize: n, oldRoot: oldRoot, newRoot: newRoot, proof: proof + [newRoot])
            }
        }
    }

    /// The happy-path vectors come from the RFC 6962 test tree; generating them again gives the same proofs.
    @Test func generatedProofsEqualTheVectorProofs() throws {
        let tree = MerkleTestSupport.rfc6962Tree()
        var compared = 0
        for vector in try MerkleTestVectors.inclusion() where !vector.wantErr && vector.treeSize <= 8 {
            let root = try MerkleTestVectors.hash(vector.root)
            guard try tree.prover.rootHash(treeSize: vector.treeSize) == root else { continue }
            #expect(try tree.hash(of: .leaf(vector.leafIdx)) == MerkleTestVectors.hash(vector.leafHash))
            #expect(try tree.prover.inclusionProof(index: vector.leafIdx, treeSize: vector.treeSize)
                == (vector.proof ?? []).map(MerkleTestVectors.hash), "\(vector.file)")
            compared += 1
        }
        for vector in try MerkleTestVectors.consistency() where !vector.wantErr && vector.size2 <= 8 {
            guard let root1 = try? MerkleTestVectors.hash(vector.root1),
                  try tree.prover.rootHash(treeSize: vector.size1) == root1 else { continue }
            #expect(try tree.prover.rootHash(treeSize: vector.size2) == MerkleTestVectors.hash(vector.root2))
            #expect(try tree.prover.consistencyProof(oldSize: vector.size1, newSize: vector.size2)
                == (vector.proof ?? []).map(MerkleTestVectors.hash), "\(vector.file)")
            compared += 1
        }
        #expect(compared == 10)  // the five happy paths of each kind
    }

    @Test func proofsOutsideTheTreeAreRefused() throws {
        let prover = Self.tree.prover
        #expect(throws: MerkleError.indexBeyondTreeSize(index: 5, treeSize: 5)) { try prover.inclusionProof(index: 5, treeSize: 5) }
        #expect(throws: MerkleError.consistencyFromEmptyTree(newSize: 5)) { try prover.consistencyProof(oldSize: 0, newSize: 5) }
        #expect(throws: MerkleError.oldSizeBeyondNewSize(oldSize: 6, newSize: 5)) { try prover.consistencyProof(oldSize: 6, newSize: 5) }
        #expect(try prover.consistencyProof(oldSize: 5, newSize: 5) == [])
        #expect(try prover.rootHash(treeSize: 0) == .emptyTree)
        // The source does not hold a tree this big.
        #expect(throws: MerkleError.self) { try prover.rootHash(treeSize: UInt64(Self.maxSize) + 1) }
    }
}
