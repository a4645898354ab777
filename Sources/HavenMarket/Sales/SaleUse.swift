import HavenAccess

/// What a data listing sells: a copy of the content, or only its use by the seller's agent
/// (compute-to-data), where the data never leaves and only answers do.
public enum SaleUse: String, Sendable, Hashable, Codable, CaseIterable {
    /// The buyer's server pulls the content, under the licence's policy.
    case copy
    /// The buyer's agent may ask the seller's agent about the content; only answers leave.
    case ai

    /// The right the buyer's capability carries on the content's path.
    public var right: Right {
        switch self {
        case .copy: .read
        case .ai: .ai
        }
    }
}
