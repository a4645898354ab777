import Foundation
import HavenIdentity
import HavenMarket

/// What the storage market keeps while the server runs: the provider's shard files, the
/// consumer's sealed shards waiting for their provider to pull them, and the keys replicas
/// are sealed under; and the desk that serializes data sales by purchase id.
struct StorageMarketState: Sendable {
    let shards: ShardStore
    let outgoing: OutgoingShards
    let keys: ReplicaKeys
    let sales: SaleDesk

    init(directory: URL, ownerKey: IdentityKey) {
        shards = ShardStore(directory: directory.appendingPathComponent("shards"))
        outgoing = OutgoingShards()
        keys = ReplicaKeys(owner: ownerKey)
        sales = SaleDesk()
    }
}

/// The consumer's sealed shards offered to providers: each is served once its contract's
/// capability is presented by that contract's provider, and forgotten when the contract is
/// settled either way.
actor OutgoingShards {
    private var shards: [ContractID: (provider: DID, bytes: [UInt8])] = [:]

    func put(_ bytes: [UInt8], for contract: ContractID, provider: DID) {
        shards[contract] = (provider, bytes)
    }

    /// The shard waiting for `provider` under `contract`, if any.
    func shard(_ contract: ContractID, for provider: DID) -> [UInt8]? {
        guard let entry = shards[contract], entry.provider == provider else { return nil }
        return entry.bytes
    }

    func remove(_ contract: ContractID) {
        shards[contract] = nil
    }
}
