/// Where the indexer stands: files waiting, and what the index holds.
public struct IndexProgress: Sendable, Equatable, Codable {
    /// Files waiting to be (re)indexed, including the one in progress.
    public let pending: Int
    /// Files indexed, skipped (not a supported type) and failed, and passages held.
    public let indexed: Int
    public let skipped: Int
    public let failed: Int
    public let passages: Int
    /// The vector index is still loading at start (a large one, in the background): search
    /// ranks by full text alone until it is done.
    public let vectorsLoading: Bool

    enum CodingKeys: String, CodingKey {
        case pending, indexed, skipped, failed, passages
        case vectorsLoading = "vectors_loading"
    }
}
