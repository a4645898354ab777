/// Where `MerkleProver` gets stored hashes: the hash of any perfect subtree that lies wholly
/// inside the tree being proved. `InMemoryMerkleTree` keeps every node; `TileHashSource` answers
/// from C2SP tiles; a log's storage can conform too. Everything else (roots, the imperfect
/// right-edge subtrees of proofs) is computed from these.
public protocol MerkleNodeSource: Sendable {
    /// The hash of `node`: for level 0 the leaf hash, above it `MTH` of `node.leafRange`.
    /// Throws when the source does not hold the node (or what it needs to compute it).
    func hash(of node: MerkleNodeID) throws -> MerkleHash
}
