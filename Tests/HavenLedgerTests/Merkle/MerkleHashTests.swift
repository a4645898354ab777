import HavenLedger
import Testing

/// Hashing rules of RFC 9162 §2.1.1, checked against the RFC 6962 reference tree
/// (hashes from transparency-dev/merkle `testonly/constants.go`).
@Suite struct MerkleHashTests {
    /// `NodeHashes()` of the reference: every complete node of the 8-leaf tree, by level.
    static let referenceNodes: [[String]] = [
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        ],
        [
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        ],
        [
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
        ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
    ]

    /// `RootHashes()` of the reference: the root of the first n leaves, n = 0...8.
    static let referenceRoots: [String] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    @Test func emptyTreeHashIsSHA256OfNothing() {
        #expect(MerkleHash.emptyTree.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func leafHashesOfReferenceLeavesMatch() {
        for (index, leaf) in MerkleTestSupport.rfc6962Leaves.enumerated() {
            #expect(MerkleHash.leafHash(of: leaf).hex == Self.referenceNodes[0][index], "leaf \(index)")
        }
    }

    @Test func everyInteriorNodeOfReferenceTreeMatches() throws {
        let tree = MerkleTestSupport.rfc6962Tree()
        for (level, hashes) in Self.referenceNodes.enumerated() {
            for (index, hex) in hashes.enumerated() {
                let node = MerkleNodeID(level: UInt8(level), index: UInt64(index))
                #expect(try tree.hash(of: node).hex == hex, "\(node)")
            }
        }
        // The node rule itself: level 1 node 0 is H(0x01 || leaf0 || leaf1).
        let left = try #require(MerkleHash(hex: Self.referenceNodes[0][0]))
        let right = try #require(MerkleHash(hex: Self.referenceNodes[0][1]))
        #expect(MerkleHash.nodeHash(left: left, right: right).hex == Self.referenceNodes[1][0])
    }

    @Test(arguments: 0...8)
    func rootOfFirstLeavesMatchesReference(size: Int) throws {
        let tree = MerkleTestSupport.rfc6962Tree(size: size)
        #expect(tree.rootHash.hex == Self.referenceRoots[size])
        #expect(try tree.prover.rootHash(treeSize: UInt64(size)).hex == Self.referenceRoots[size])
        #expect(try MerkleTestSupport.rfc6962Tree().prover.rootHash(treeSize: UInt64(size)).hex == Self.referenceRoots[size])
    }

    @Test func leafHashDoesNotDependOnHowBytesAreHeld() {
        let bytes: [UInt8] = Array(0..<200)
        let lazy = (0..<200).lazy.map { UInt8($0) }  // no contiguous storage
        #expect(MerkleHash.leafHash(of: lazy) == MerkleHash.leafHash(of: bytes))
        #expect(MerkleHash.leafHash(of: bytes[...]) == MerkleHash.leafHash(of: bytes))
    }

    @Test func bytesAndHexRoundTrip() throws {
        let bytes: [UInt8] = (0..<32).map { UInt8($0 * 7 + 3) }
        let hash = try MerkleHash(bytes: bytes)
        #expect(hash.bytes == bytes)
        #expect(MerkleHash(hex: hash.hex) == hash)
        #expect(MerkleHash(hex: hash.hex.uppercased()) == hash)
        #expect(hash.description == hash.hex)
        #expect(hash.withUnsafeBytes { Array($0) } == bytes)
    }

    @Test func onlyThirtyTwoBytesMakeAHash() {
        #expect(throws: MerkleError.invalidHashLength(31)) { try MerkleHash(bytes: [UInt8](repeating: 0, count: 31)) }
        #expect(throws: MerkleError.invalidHashLength(33)) { try MerkleHash(bytes: [UInt8](repeating: 0, count: 33)) }
        #expect(throws: MerkleError.invalidHashLength(0)) { try MerkleHash(bytes: [UInt8]()) }
        #expect(MerkleHash(hex: String(repeating: "0", count: 62)) == nil)
        #expect(MerkleHash(hex: String(repeating: "g", count: 64)) == nil)
        #expect(MerkleError.invalidHashLength(12).description.contains("32 bytes"))
    }

    @Test func hashesDifferingInAnyByteAreUnequal() throws {
        let base = MerkleHash.emptyTree
        var seen: Set<MerkleHash> = [base]
        for bit in stride(from: 0, to: 256, by: 8) {
            let flipped = MerkleTestSupport.flipping(bit: bit, of: base)
            #expect(flipped != base)
            seen.insert(flipped)
        }
        #expect(seen.count == 33)
    }
}
