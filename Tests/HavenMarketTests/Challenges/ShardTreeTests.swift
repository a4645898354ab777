import HavenLedger
import HavenMarket
import Testing

@Suite struct ShardTreeTests {
    @Test(arguments: [(1, 1), (4_095, 1), (4_096, 1), (4_097, 2), (3 * 4_096, 3), (10_000, 3)] as [(Int, UInt64)])
    func aShardSplitsIntoFourKiBLeaves(byteCount: Int, leafCount: UInt64) throws {
        let shard = [UInt8](repeating: 0x5A, count: byteCount)
        let tree = try ShardTree(shard: shard)
        #expect(tree.leafCount == leafCount)
        #expect(tree.commitment.byteCount == UInt64(byteCount))
        #expect(ShardCommitment.leafCount(forByteCount: UInt64(byteCount)) == leafCount)
        let last = try tree.leaf(Int(leafCount) - 1)
        #expect(last.count == byteCount - (Int(leafCount) - 1) * 4_096)
    }

    @Test func theRootIsTheRFC9162RootOfTheLeafHashes() throws {
        var random = SplitMix64(seed: 3)
        let shard = (0..<10_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        let tree = try ShardTree(shard: shard)
        let expected = InMemoryMerkleTree(leafHashes: [
            MerkleHash.leafHash(of: shard[0..<4_096]), .leafHash(of: shard[4_096..<8_192]), .leafHash(of: shard[8_192...]),
        ]).rootHash
        #expect(tree.root == expected)
    }

    @Test func anEmptyShardHasNoTree() {
        #expect(throws: ChallengeError.emptyShard) { try ShardTree(shard: []) }
    }

    @Test func aLeafOutsideTheShardHasNoProof() throws {
        let tree = try ShardTree(shard: [1, 2, 3])
        #expect(throws: ChallengeError.leafOutOfRange(index: 1, leafCount: 1)) { try tree.proof(of: 1) }
    }

    @Test func aCommitmentMustCountItsLeavesRight() {
        #expect(throws: ChallengeError.inconsistentCommitment(byteCount: 4_097, leafCount: 1)) {
            try ShardCommitment(byteCount: 4_097, leafCount: 1, root: .emptyTree)
        }
    }
}
