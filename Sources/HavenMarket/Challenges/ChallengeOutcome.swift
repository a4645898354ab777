/// How a storage challenge ended.
public enum ChallengeOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    /// The right leaf, proven against the committed root, before the deadline.
    case passed
    /// An answer came in time but is not the challenged leaf of the committed shard.
    case wrong
    /// No answer came: the provider could not (or would not) produce the leaf.
    case missing
    /// An answer came after the deadline; it is not looked at, since a late provider may have
    /// fetched the leaf from elsewhere in the meantime.
    case late
}
