import Crypto
import HavenMarket
import Testing

/// Replicas as a backup makes them: K-of-N shards, each sealed under its own key, restored from
/// any K that check out against the roots the consumer kept.
@Suite struct BackupPlanTests {
    let secret = SymmetricKey(size: .bits256)
    let code = try! ErasureCode(dataShards: 3, totalShards: 4)

    var ciphers: [ShardCipher] { (0..<4).map { ShardCipher(secret: secret, context: "contract-\($0)") } }

    func data(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    @Test func emptyDataHasNothingToStoreOrChallenge() {
        #expect(throws: ReplicaError.self) { try BackupPlan.prepare([], code: code, ciphers: ciphers) }
    }

    @Test(arguments: [1, 4079, 4080, 4081, 100_000, 1 << 20])
    func anyThreeOfFourReplicasRestoreTheData(size: Int) throws {
        let original = data(size)
        let replicas = try BackupPlan.prepare(original, code: code, ciphers: ciphers)
        #expect(replicas.count == 4)
        let commitments = Dictionary(uniqueKeysWithValues: replicas.map { ($0.index, $0.commitment) })
        for lost in 0..<4 {
            let kept = Dictionary(uniqueKeysWithValues: replicas.filter { $0.index != lost }.map { ($0.index, $0.sealed) })
            let restored = try BackupPlan.restore(
                kept, code: code, ciphers: ciphers, commitments: commitments, originalLength: size)
            #expect(restored.data == original)
            #expect(restored.rejected.isEmpty)
        }
    }

    @Test func everyReplicaHoldsDifferentBytesAndLeavesAreFourKiB() throws {
        let original = data(50_000)
        let replicas = try BackupPlan.prepare(original, code: code, ciphers: ciphers)
        #expect(Set(replicas.map(\.sealed)).count == 4)
        // The same shard sealed under another contract's key is other bytes: a provider cannot
        // answer for a replica it does not hold.
        let shard = code.encode(original)[0].bytes
        #expect(try ciphers[0].seal(shard) != ShardCipher(secret: secret, context: "another").seal(shard))
        #expect(ShardCipher.sealedSegment == ShardTree.leafSize)
        #expect(replicas[0].sealed.count == ShardCipher.sealedLength(of: shard.count))
    }

    @Test func aChangedReplicaIsRejectedAndAnotherUsedInstead() throws {
        let original = data(30_000)
        let replicas = try BackupPlan.prepare(original, code: code, ciphers: ciphers)
        let commitments = Dictionary(uniqueKeysWithValues: replicas.map { ($0.index, $0.commitment) })
        var sealed = Dictionary(uniqueKeysWithValues: replicas.map { ($0.index, $0.sealed) })
        sealed[1]![100] ^= 0x01
        let restored = try BackupPlan.restore(sealed, code: code, ciphers: ciphers, commitments: commitments, originalLength: 30_000)
        #expect(restored.data == original)
        #expect(restored.rejected == [1: .commitmentMismatch(shard: 1)])

        // With two bad replicas, three of four are not there: refused, not guessed.
        sealed[2]![5] ^= 0x01
        #expect(throws: ReplicaError.self) {
            try BackupPlan.restore(sealed, code: code, ciphers: ciphers, commitments: commitments, originalLength: 30_000)
        }
    }

    @Test func aReplicaOpenedWithTheWrongKeyNamesTheSegment() throws {
        let sealed = try ciphers[0].seal(data(10_000))
        #expect(throws: ReplicaError.damagedSegment(0)) { try ciphers[1].open(sealed) }
        #expect(try ciphers[0].open(sealed).count == 10_000)
    }
}
