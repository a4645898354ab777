import HavenLedger
import Testing

@Suite struct InMemoryMerkleTreeTests {
    @Test func rootAfterEachAppendEqualsTheRFCDefinition() throws {
        var tree = InMemoryMerkleTree()
        var leaves: [MerkleHash] = []
        #expect(tree.size == 0)
        #expect(tree.rootHash == .emptyTree)
        for index in 0..<300 {
            let leaf = MerkleHash.leafHash(of: Array("entry \(index)".utf8))
            tree.append(leafHash: leaf)
            leaves.append(leaf)
            #expect(tree.size == UInt64(index + 1))
            #expect(tree.rootHash == MerkleTestSupport.referenceRoot(leaves[...]), "size \(index + 1)")
        }
        #expect(InMemoryMerkleTree(leafHashes: leaves) == tree)
    }

    @Test func truncatingGivesTheTreeAsItWasAtThatSize() throws {
        let leaves = (0..<300).map { MerkleHash.leafHash(of: Array("entry \($0)".utf8)) }
        for size in [0, 1, 2, 3, 7, 8, 9, 255, 256, 257, 299] {
            var tree = InMemoryMerkleTree(leafHashes: leaves)
            tree.truncate(to: UInt64(size))
            #expect(tree == InMemoryMerkleTree(leafHashes: leaves[..<size]), "size \(size)")
            tree.append(leafHash: leaves[size])
            #expect(tree == InMemoryMerkleTree(leafHashes: leaves[...size]), "size \(size) + 1")
        }
        var whole = InMemoryMerkleTree(leafHashes: leaves)
        whole.truncate(to: 400)
        #expect(whole == InMemoryMerkleTree(leafHashes: leaves))
    }

    @Test func appendingDataHashesItAsALeaf() throws {
        var tree = InMemoryMerkleTree()
        tree.append(leafData: [0x10])
        #expect(try tree.hash(of: .leaf(0)) == MerkleHash.leafHash(of: [0x10]))
    }

    @Test func holdsOnlyCompleteNodes() throws {
        let tree = MerkleTestSupport.numberedTree(size: 6)
        #expect(throws: Never.self) { try tree.hash(of: MerkleNodeID(level: 2, index: 0)) }
        #expect(throws: Never.self) { try tree.hash(of: MerkleNodeID(level: 1, index: 2)) }
        #expect(throws: MerkleError.nodeBeyondTreeSize(MerkleNodeID(level: 2, index: 1), treeSize: 6)) {
            try tree.hash(of: MerkleNodeID(level: 2, index: 1))
        }
        #expect(throws: MerkleError.nodeBeyondTreeSize(MerkleNodeID(level: 3, index: 0), treeSize: 6)) {
            try tree.hash(of: MerkleNodeID(level: 3, index: 0))
        }
        #expect(throws: MerkleError.nodeBeyondTreeSize(.leaf(6), treeSize: 6)) { try tree.hash(of: .leaf(6)) }
    }

    @Test func nodeIdentifiersCoverTheirLeaves() {
        let node = MerkleNodeID(level: 3, index: 2)
        #expect(node.leafRange == 16..<24)
        #expect(node.children?.left == MerkleNodeID(level: 2, index: 4))
        #expect(node.children?.right == MerkleNodeID(level: 2, index: 5))
        #expect(MerkleNodeID.leaf(4).children == nil)
        #expect(node.description.contains("16..<24"))
    }
}
