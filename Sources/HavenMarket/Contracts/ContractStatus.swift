/// Where a storage contract stands. `ended` and `breached` are final: no revision follows them.
public enum ContractStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Running: periods are being settled.
    case active
    /// Closed normally: the held-back share went to the provider, the provider's collateral is
    /// released to it and the consumer's remaining balance is refunded to it.
    case ended
    /// Closed because the provider failed: its collateral is forfeited to the consumer and the
    /// held-back share returned to the consumer.
    case breached
}
