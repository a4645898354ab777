/// Which rankers a search uses: both fused (the default), full text (BM25) alone, or vectors
/// alone. Single rankers are there to measure each one's quality (the retrieval test set).
public enum SearchMode: String, Sendable, CaseIterable, Codable {
    case hybrid
    case text
    case vector
}
