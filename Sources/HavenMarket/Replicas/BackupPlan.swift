import Crypto

/// What a backup sends and keeps, as pure functions: the data is erasure-coded K-of-N
/// (``ErasureCode``), each shard is sealed under its own replica key (``ShardCipher``), and
/// the consumer keeps only each sealed shard's commitment (``ShardCommitment``: its Merkle
/// root), which is all it needs to challenge the provider and to check what comes back.
///
/// Empty data is refused: a replica with no leaves could not be challenged.
///
/// A restore takes the sealed shards of any K providers, checks each against its commitment
/// before anything else, opens them, and decodes. A shard that fails its commitment or does
/// not authenticate is left out, and another one is needed.
public enum BackupPlan {
    /// One provider's part: its index, the sealed bytes it stores, and the commitment the
    /// consumer keeps.
    public struct Replica: Sendable {
        public let index: Int
        public let sealed: [UInt8]
        public let commitment: ShardCommitment
    }

    /// Encodes and seals `data` for `code.totalShards` providers; `ciphers[i]` seals shard i.
    public static func prepare(_ data: [UInt8], code: ErasureCode, ciphers: [ShardCipher]) throws(ReplicaError) -> [Replica] {
        guard ciphers.count == code.totalShards else { throw .missing(shard: min(ciphers.count, code.totalShards)) }
        var replicas: [Replica] = []
        for shard in code.encode(data) {
            let sealed = try ciphers[shard.index].seal(shard.bytes)
            do {
                replicas.append(Replica(index: shard.index, sealed: sealed, commitment: try ShardTree(shard: sealed).commitment))
            } catch {
                throw .challenge(error)
            }
        }
        return replicas
    }

    /// Rebuilds the data from the sealed shards at hand (any K that check out), verifying each
    /// against its commitment and its own authentication first.
    public static func restore(
        _ sealed: [Int: [UInt8]], code: ErasureCode, ciphers: [ShardCipher], commitments: [Int: ShardCommitment],
        originalLength: Int
    ) throws(ReplicaError) -> (data: [UInt8], rejected: [Int: ReplicaError]) {
        var opened: [Int: [UInt8]] = [:]
        var rejected: [Int: ReplicaError] = [:]
        for (index, bytes) in sealed.sorted(by: { $0.key < $1.key }) {
            guard let commitment = commitments[index], index < ciphers.count else {
                rejected[index] = .missing(shard: index)
                continue
            }
            guard let tree = try? ShardTree(shard: bytes), tree.commitment == commitment else {
                rejected[index] = .commitmentMismatch(shard: index)
                continue
            }
            do {
                opened[index] = try ciphers[index].open(bytes)
            } catch {
                rejected[index] = error
            }
        }
        do {
            return (try code.decode(opened, originalLength: originalLength), rejected)
        } catch {
            throw .erasure(error)
        }
    }
}
