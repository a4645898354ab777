import Crypto
import HavenIdentity

/// The keys a consumer seals its replicas under, all derived from the owner's identity key, so
/// that the identity key alone (which the owner already keeps safe) is enough to restore a
/// backup on a new machine.
///
/// Each replica gets its own key, bound to the backup, the shard index and the contract that
/// stores it: two providers holding the same shard hold different bytes, so neither can answer
/// challenges from the other's copy, and a shard moved to a new provider is sealed afresh.
public struct ReplicaKeys: Sendable {
    private let secret: SymmetricKey

    /// Keys derived from `owner`'s private key (HKDF-SHA256, its own domain).
    public init(owner: IdentityKey) {
        secret = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: owner.privateKey.rawRepresentation),
            salt: Array("haven-replica-secret/v1".utf8), info: [], outputByteCount: 32)
    }

    /// The cipher for shard `index` of backup `backup` stored under `contract`.
    public func cipher(backup: String, shard index: Int, contract: ContractID) -> ShardCipher {
        ShardCipher(secret: secret, context: "backup \(backup)\nshard \(index)\ncontract \(contract)")
    }
}
