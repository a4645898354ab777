import HavenLedger
import Testing

/// A real log for the witness tests: an in-memory Merkle tree, its signer key, and the
/// checkpoints, proofs, tiles and add-checkpoint requests it would produce at any size.
/// A fork is a log with the same key and origin whose leaves part from the original's.
struct TestLog {
    static let origin = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"

    let signer: NoteSignerKey
    let tree: InMemoryMerkleTree

    /// A log of `size` leaves; leaves from `forkAt` on are salted so a fork differs from there.
    init(size: Int, signer: NoteSignerKey, forkAt: Int? = nil) {
        self.signer = signer
        var tree = InMemoryMerkleTree()
        for index in 0..<size {
            let salt: UInt8 = forkAt.map { index >= $0 ? 0xF0 : 0 } ?? 0
            tree.append(leafData: [salt] + withUnsafeBytes(of: UInt64(index).bigEndian) { Array($0) })
        }
        self.tree = tree
    }

    /// A log with a fresh key.
    init(size: Int) throws {
        self.init(size: size, signer: try NoteSignerKey.generate(name: Self.origin))
    }

    /// The same log's key, with leaves parting from this one's at `index`.
    func fork(at index: Int, size: Int? = nil) -> TestLog {
        TestLog(size: size ?? Int(tree.size), signer: signer, forkAt: index)
    }

    var verifierKey: NoteVerifierKey { signer.verifierKey }

    func root(_ size: UInt64) throws -> MerkleHash {
        try tree.prover.rootHash(treeSize: size)
    }

    func checkpoint(_ size: UInt64) throws -> Checkpoint {
        try Checkpoint(origin: Self.origin, size: size, rootHash: root(size).bytes)
    }

    /// The checkpoint at `size`, signed by the log's key.
    func note(_ size: UInt64) throws -> SignedNote {
        let text = try checkpoint(size).serialized
        return try SignedNote(text: text, signatures: [signer.sign(text)])
    }

    func proof(from oldSize: UInt64, to newSize: UInt64) throws -> [[UInt8]] {
        guard oldSize > 0 else { return [] }
        return try tree.prover.consistencyProof(oldSize: oldSize, newSize: newSize).map(\.bytes)
    }

    /// The request a log would send: its checkpoint at `newSize` with the proof from `oldSize`.
    func request(old oldSize: UInt64, new newSize: UInt64) throws -> AddCheckpointRequest {
        try AddCheckpointRequest(oldSize: oldSize, consistencyProof: proof(from: oldSize, to: newSize), note: note(newSize))
    }

    /// Every tile of the tree at `size`, as served.
    func tiles(_ size: UInt64) throws -> [TileCoordinate: [UInt8]] {
        var tiles: [TileCoordinate: [UInt8]] = [:]
        for tile in TileLayout.tiles(forTreeSize: size) {
            tiles[tile] = try tree.prover.hashes(of: tile).flatMap(\.bytes)
        }
        return tiles
    }

    /// Only the tiles `wanted` of the tree at `size`.
    func tiles(_ wanted: [TileCoordinate], atSize size: UInt64) throws -> [TileCoordinate: [UInt8]] {
        let all = try tiles(size)
        var tiles: [TileCoordinate: [UInt8]] = [:]
        for tile in wanted {
            guard let data = all[tile] else {
                Issue.record("\(tile.path) is not a tile of the tree of size \(size)")
                throw CancellationError()
            }
            tiles[tile] = data
        }
        return tiles
    }

    /// The witnessed state after accepting this log's checkpoint at `size` (nil size: none yet).
    func witnessed(at size: UInt64?) throws -> WitnessedLog {
        let latest = try size.map { try WitnessedCheckpoint(verifying: note($0), with: verifierKey) }
        return try WitnessedLog(origin: Self.origin, verifierKey: verifierKey, latest: latest)
    }
}

extension WitnessedLog {
    /// This log with `note` (signed by its key) as the latest checkpoint, built by hand.
    func advancedForTest(to note: SignedNote) throws -> WitnessedLog {
        try WitnessedLog(origin: origin, verifierKey: verifierKey, latest: WitnessedCheckpoint(verifying: note, with: verifierKey))
    }
}
