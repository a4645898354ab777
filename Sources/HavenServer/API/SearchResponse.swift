import HavenKnowledge
import Hummingbird

/// Body of `GET /haven/search`.
public struct SearchResponse: Codable, Sendable, ResponseEncodable {
    public let query: String
    public let hits: [SearchHit]
}
