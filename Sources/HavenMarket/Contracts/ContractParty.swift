/// The two sides of a storage contract.
public enum ContractParty: String, Sendable, Hashable, Codable, CaseIterable {
    /// Pays for storage and checks it with challenges.
    case consumer
    /// Stores the shard, posts collateral and earns the fees.
    case provider
}
