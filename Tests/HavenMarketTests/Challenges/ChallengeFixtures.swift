import Foundation
import HavenLedger
import HavenMarket
import HavenStore

/// Shards, contract ids and checkpoints for the challenge tests.
enum ChallengeFixtures {
    static let contract = ContractID(ContentID.hashing(Array("contract".utf8), codec: .dagJSON))
    static let deadline = Date(timeIntervalSince1970: 1_800_000_600)

    static func shard(byteCount: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        return (0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    /// A checkpoint of a log at `size`, with a root that stands in for the log's real one.
    static func checkpoint(size: UInt64) throws -> Checkpoint {
        try Checkpoint(origin: "ledger.example/log", size: size, rootHash: MerkleHash.leafHash(of: Array("\(size)".utf8)).bytes)
    }

    static func challenge(leafCount: UInt64, sequence: UInt64 = 0, checkpointSize: UInt64 = 42) throws -> StorageChallenge {
        try StorageChallenge(
            contract: contract, period: 1, sequence: sequence, seed: try checkpoint(size: checkpointSize), leafCount: leafCount,
            deadline: deadline)
    }
}
