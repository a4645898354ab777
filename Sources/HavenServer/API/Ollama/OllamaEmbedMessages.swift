import Hummingbird

/// Body of `POST /api/embed`: `input` is a string or a list of strings.
public struct OllamaEmbedRequest: Decodable, Sendable {
    public let model: String
    public let input: OneOrMany
}

/// Answer of `POST /api/embed`.
public struct OllamaEmbedResponse: Encodable, Sendable, ResponseEncodable {
    public let model: String
    public let embeddings: [[Float]]
    public let promptEvalCount: Int
    enum CodingKeys: String, CodingKey {
        case model, embeddings
        case promptEvalCount = "prompt_eval_count"
    }
}
