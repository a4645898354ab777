import HavenStore

/// One passage a search returned: where it comes from, how well it matched, and its text.
public struct SearchHit: Sendable, Equatable, Codable {
    public let path: DataPath
    /// The file version the passage was indexed from.
    public let version: Int
    /// The passage's position within the file, from 0.
    public let passage: Int
    /// Reciprocal-rank fusion of the full-text and vector ranks; higher is better.
    public let score: Double
    /// A short extract around the best match, for display.
    public let snippet: String
    /// The whole passage.
    public let text: String

    public init(path: DataPath, version: Int, passage: Int, score: Double, snippet: String, text: String) {
        self.path = path
        self.version = version
        self.passage = passage
        self.score = score
        self.snippet = snippet
        self.text = text
    }
}
