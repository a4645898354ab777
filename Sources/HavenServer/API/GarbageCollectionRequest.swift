/// Body of `POST /haven/store/gc`.
public struct GarbageCollectionRequest: Codable, Sendable {
    /// Prune every path's history to its newest N versions first; absent keeps all history.
    public let keepVersions: Int?

    public init(keepVersions: Int?) {
        self.keepVersions = keepVersions
    }

    enum CodingKeys: String, CodingKey {
        case keepVersions = "keep_versions"
    }
}
