import ArgumentParser
import Crypto
import Foundation
import HavenMarket
import HavenStore

extension HavenBench {
    /// The storage market's cores, in process: preparing a backup (erasure-coding K-of-N with
    /// ISA-L and sealing each shard under its own key, with its Merkle commitment), restoring
    /// from K of the N sealed shards (commitments checked, opened, decoded), and storage
    /// challenges answered and verified. Every loop stops at a count or a deadline.
    struct Market: AsyncParsableCommand {
        @Option(help: "MiB of data backed up per repetition.") var mebibytes = 256
        @Option(help: "Data shards (K).") var dataShards = 3
        @Option(help: "Total shards (N), one per provider.") var totalShards = 4
        @Option(help: "Repetitions of each measurement, for the spread.") var repetitions = 3
        @Option(help: "Challenges per repetition.") var challenges = 20_000
        @Option(help: "Seconds at most per repetition of the challenge loop.") var seconds = 3.0

        func run() async throws {
            let code = try ErasureCode(dataShards: dataShards, totalShards: totalShards)
            let secret = SymmetricKey(size: .bits256)
            let ciphers = (0..<totalShards).map { ShardCipher(secret: secret, context: "bench-contract-\($0)") }
            var generator = SystemRandomNumberGenerator()
            let data = (0..<(mebibytes << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            print("market: \(mebibytes) MiB, \(dataShards)-of-\(totalShards), \(repetitions) repetitions, min/median/max")

            var prepare: [Double] = []
            var restore: [Double] = []
            var replicas: [BackupPlan.Replica] = []
            for _ in 0..<repetitions {
                let started = ContinuousClock.now
                replicas = try BackupPlan.prepare(data, code: code, ciphers: ciphers)
                prepare.append(Double(mebibytes) / Self.seconds(since: started))
                let commitments = Dictionary(uniqueKeysWithValues: replicas.map { ($0.index, $0.commitment) })
                // The worst case: the first data shard is lost, so a parity shard is decoded.
                let kept = Dictionary(uniqueKeysWithValues: replicas.dropFirst().prefix(dataShards).map { ($0.index, $0.sealed) })
                let restoring = ContinuousClock.now
                let restored = try BackupPlan.restore(
                    kept, code: code, ciphers: ciphers, commitments: commitments, originalLength: data.count)
                restore.append(Double(mebibytes) / Self.seconds(since: restoring))
                guard restored.data == data else { throw ValidationError("the restore did not give back the data") }
            }
            print("(1) backup prepared (erasure code, seal every shard, Merkle commitments): \(Spread(prepare).format("%.0f")) MiB/s of data")
            print("(2) restore from \(dataShards) of \(totalShards) (commitments, open, decode; one data shard lost): \(Spread(restore).format("%.0f")) MiB/s")

            // (3) Challenges against one provider's sealed shard: the provider's answer (leaf and
            // path from its shard) and the consumer's check (against the root alone).
            let tree = try ShardTree(shard: replicas[0].sealed)
            let seedRoot = Array(SHA256.hash(data: [1]))
            var answers: [Double] = []
            var verifications: [Double] = []
            for repetition in 0..<repetitions {
                var pending: [(ChallengeAnswer, UInt64)] = []
                let deadline = ContinuousClock.now + .seconds(seconds)
                let answering = ContinuousClock.now
                for sequence in 0..<challenges where ContinuousClock.now < deadline {
                    let index = StorageChallenge.derive(
                        contract: ContractID(ContentID.hashing(Array("bench-\(repetition)".utf8), codec: .dagJSON)), period: 1,
                        sequence: UInt64(sequence), checkpointRoot: seedRoot, leafCount: tree.leafCount)
                    pending.append((try tree.proof(of: Int(index)), index))
                }
                answers.append(Double(pending.count) / Self.seconds(since: answering))
                let verifying = ContinuousClock.now
                for (answer, index) in pending {
                    try ChallengeVerifier.verify(answer, root: tree.root, leafCount: tree.leafCount, expectedIndex: index)
                }
                verifications.append(Double(pending.count) / Self.seconds(since: verifying))
            }
            print("(3) challenges on a \(replicas[0].sealed.count >> 20) MiB sealed shard (\(tree.leafCount) leaves): answered \(Spread(answers).format("%.0f")) /s, verified \(Spread(verifications).format("%.0f")) /s")
        }

        static func seconds(since start: ContinuousClock.Instant) -> Double {
            let elapsed = ContinuousClock.now - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
    }
}
