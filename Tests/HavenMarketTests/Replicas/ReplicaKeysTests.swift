import HavenIdentity
import HavenMarket
import HavenStore
import Testing

@Suite struct ReplicaKeysTests {
    let owner = try! IdentityKey(seed: [UInt8](repeating: 5, count: 32))
    let plain = ChallengeFixtures.shard(byteCount: 10_000, seed: 3)
    let first = ContractID(ContentID.hashing(Array("one".utf8), codec: .dagJSON))
    let second = ContractID(ContentID.hashing(Array("two".utf8), codec: .dagJSON))

    @Test func theSameShardUnderTwoContractsIsTwoDifferentReplicas() throws {
        let keys = ReplicaKeys(owner: owner)
        let a = try keys.cipher(backup: "b1", shard: 0, contract: first).seal(plain)
        let b = try keys.cipher(backup: "b1", shard: 0, contract: second).seal(plain)
        #expect(a.count == b.count)
        #expect(a != b)
        #expect(try ShardTree(shard: a).root != (try ShardTree(shard: b).root))
        // Each opens only under its own key.
        #expect(try keys.cipher(backup: "b1", shard: 0, contract: first).open(a) == plain)
        #expect(throws: ReplicaError.self) { try keys.cipher(backup: "b1", shard: 0, contract: second).open(a) }
        #expect(throws: ReplicaError.self) { try keys.cipher(backup: "b1", shard: 1, contract: first).open(a) }
    }

    @Test func theIdentityKeyAloneRecoversTheReplicaKeys() throws {
        let sealed = try ReplicaKeys(owner: owner).cipher(backup: "b1", shard: 2, contract: first).seal(plain)
        let reloaded = try IdentityKey(pemRepresentation: owner.pemRepresentation)
        #expect(try ReplicaKeys(owner: reloaded).cipher(backup: "b1", shard: 2, contract: first).open(sealed) == plain)
        let stranger = try IdentityKey(seed: [UInt8](repeating: 6, count: 32))
        #expect(throws: ReplicaError.self) {
            try ReplicaKeys(owner: stranger).cipher(backup: "b1", shard: 2, contract: first).open(sealed)
        }
    }
}
