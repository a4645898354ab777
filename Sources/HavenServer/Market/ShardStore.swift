#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HavenLedger
import HavenMarket
import HavenStore
import Hummingbird

/// The provider's side of storage contracts: each contract's sealed shard, one file per
/// contract under `market/shards/` (mode 0600, written whole and renamed into place), and the
/// Merkle tree over its leaves, kept in memory once built, to answer challenges.
///
/// An answer reads the challenged leaf from the file every time, so a shard that was damaged
/// or deleted on disk fails its challenges even while its tree is cached.
actor ShardStore {
    nonisolated let directory: URL
    private var trees: [ContractID: InMemoryMerkleTree] = [:]

    init(directory: URL) {
        self.directory = directory
    }

    private func url(_ contract: ContractID) -> URL {
        directory.appendingPathComponent(contract.description)
    }

    /// Keeps `bytes` as the shard of `contract`; its tree is built from them.
    func store(_ bytes: [UInt8], for contract: ContractID) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let destination = url(contract)
        let temporary = directory.appendingPathComponent(".\(contract.description).partial")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
        else { throw APIError(.internalServerError, code: "storage_failed", message: "cannot write \(temporary.path)") }
        let handle = try FileHandle(forWritingTo: temporary)
        try handle.synchronize()
        try handle.close()
        guard rename(temporary.path, destination.path) == 0 else {
            throw APIError(.internalServerError, code: "storage_failed", message: "cannot move the shard into \(destination.path)")
        }
        trees[contract] = Self.tree(of: bytes)
    }

    /// The shard of `contract`, as it is on disk.
    func read(_ contract: ContractID) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: url(contract).path) else {
            throw APIError(.notFound, code: "not_found", message: "no shard is stored for contract \(contract)")
        }
        return [UInt8](data)
    }

    /// Leaf `index` with its Merkle path, as the provider answers a challenge.
    func answer(_ contract: ContractID, leaf index: UInt64) throws -> ChallengeAnswer {
        let tree: InMemoryMerkleTree
        if let cached = trees[contract] {
            tree = cached
        } else {
            tree = Self.tree(of: try read(contract))
            trees[contract] = tree
        }
        guard index < tree.size else { throw APIError(.badRequest, code: "invalid_challenge", message: "leaf \(index) is past the shard's \(tree.size) leaves") }
        let handle = try FileHandle(forReadingFrom: url(contract))
        defer { try? handle.close() }
        try handle.seek(toOffset: index * UInt64(ShardTree.leafSize))
        let leaf = [UInt8](try handle.read(upToCount: ShardTree.leafSize) ?? Data())
        let path = try tree.prover.inclusionProof(index: index, treeSize: tree.size)
        return ChallengeAnswer(leafIndex: index, leaf: leaf, path: path)
    }

    /// Forgets a contract's shard (after the contract ends or is breached).
    func remove(_ contract: ContractID) {
        trees[contract] = nil
        try? FileManager.default.removeItem(at: url(contract))
    }

    private static func tree(of bytes: [UInt8]) -> InMemoryMerkleTree {
        var tree = InMemoryMerkleTree()
        for start in stride(from: 0, to: bytes.count, by: ShardTree.leafSize) {
            tree.append(leafData: bytes[start..<min(start + ShardTree.leafSize, bytes.count)])
        }
        return tree
    }
}
