import HavenLedger

/// Fixtures shared by the Merkle tests: the RFC 6962 reference tree and a from-the-definition MTH.
enum MerkleTestSupport {
    /// The eight leaves of the RFC 6962 test tree used by the Go and C++ reference code
    /// (transparency-dev/merkle `testonly/constants.go`).
    static let rfc6962Leaves: [[UInt8]] = [
        [],
        [0x00],
        [0x10],
        [0x20, 0x21],
        [0x30, 0x31],
        [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
    ]

    /// The RFC 6962 test tree cut to its first `size` leaves.
    static func rfc6962Tree(size: Int = 8) -> InMemoryMerkleTree {
        InMemoryMerkleTree(leafHashes: rfc6962Leaves.prefix(size).map { MerkleHash.leafHash(of: $0) })
    }

    /// A tree of `size` distinct leaves (the big-endian bytes of each index).
    static func numberedTree(size: Int) -> InMemoryMerkleTree {
        var tree = InMemoryMerkleTree()
        for index in 0..<size {
            tree.append(leafData: withUnsafeBytes(of: UInt64(index).bigEndian) { Array($0) })
        }
        return tree
    }

    /// `MTH(D[n])` exactly as RFC 9162 §2.1.1 defines it, recursively, from leaf hashes.
    static func referenceRoot(_ leafHashes: ArraySlice<MerkleHash>) -> MerkleHash {
        switch leafHashes.count {
        case 0: return .emptyTree
        case 1: return leafHashes[leafHashes.startIndex]
        default:
            var k = 1
            while k * 2 < leafHashes.count { k *= 2 }
            let split = leafHashes.startIndex + k
            return .nodeHash(left: referenceRoot(leafHashes[..<split]), right: referenceRoot(leafHashes[split...]))
        }
    }

    /// `hash` with one bit inverted.
    static func flipping(bit: Int, of hash: MerkleHash) -> MerkleHash {
        var bytes = hash.bytes
        bytes[bit / 8] ^= 1 << UInt8(bit % 8)
        return try! MerkleHash(bytes: bytes)
    }
}
