import Foundation
import Hummingbird

/// Body of `POST /v1/embeddings`: `input` is a string, a list of strings, a list of token ids,
/// or a list of such lists.
public struct EmbeddingRequest: Decodable, Sendable {
    public enum Input: Sendable {
        case texts([String])
        case tokens([[Int32]])
    }
    public let model: String
    public let input: Input
    /// `float` (default) or `base64` (little-endian float32, as OpenAI's client asks by default).
    public let encodingFormat: String?

    enum CodingKeys: String, CodingKey {
        case model, input
        case encodingFormat = "encoding_format"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        encodingFormat = try container.decodeIfPresent(String.self, forKey: .encodingFormat)
        if let one = try? container.decode(String.self, forKey: .input) {
            input = .texts([one])
        } else if let many = try? container.decode([String].self, forKey: .input) {
            input = .texts(many)
        } else if let tokens = try? container.decode([Int32].self, forKey: .input) {
            input = .tokens([tokens])
        } else if let lists = try? container.decode([[Int32]].self, forKey: .input) {
            input = .tokens(lists)
        } else {
            throw DecodingError.dataCorruptedError(
                forKey: .input, in: container,
                debugDescription: "input must be a string, a list of strings, or token ids")
        }
    }
}

/// Answer of `POST /v1/embeddings`.
public struct EmbeddingResponse: Encodable, Sendable, ResponseEncodable {
    public struct Item: Encodable, Sendable {
        public enum Vector: Encodable, Sendable {
            case float([Float])
            case base64(String)
            public func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .float(let values): try container.encode(values)
                case .base64(let text): try container.encode(text)
                }
            }
        }
        public let object = "embedding"
        public let index: Int
        public let embedding: Vector
    }
    public struct Usage: Encodable, Sendable {
        public let promptTokens: Int
        public let totalTokens: Int
        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case totalTokens = "total_tokens"
        }
    }
    public let object = "list"
    public let data: [Item]
    public let model: String
    public let usage: Usage
}

/// Body of `POST /v1/completions` (plain-text completion, no chat template).
public struct CompletionRequest: Decodable, Sendable {
    public let model: String
    public let prompt: OneOrMany
    public let stream: Bool?
    public let maxTokens: Int?
    public let temperature: Double?
    public let topP: Double?
    public let topK: Int?
    public let minP: Double?
    public let seed: Int?
    public let stop: OneOrMany?
    public let presencePenalty: Double?
    public let frequencyPenalty: Double?
    public let repeatPenalty: Double?
    /// How many most likely alternatives each token lists with its log-probability (0 to 20).
    public var logprobs: Int? = nil
    /// How many completions to generate (1 to 8).
    public var n: Int? = nil
    public var streamOptions: ChatCompletionRequest.StreamOptions? = nil

    enum CodingKeys: String, CodingKey {
        case model, prompt, stream, temperature, seed, stop, logprobs, n
        case streamOptions = "stream_options"
        case maxTokens = "max_tokens"
        case topP = "top_p"
        case topK = "top_k"
        case minP = "min_p"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case repeatPenalty = "repeat_penalty"
    }
}

/// Answer, or streamed event, of `POST /v1/completions`.
public struct CompletionResponse: Codable, Sendable, ResponseEncodable {
    public struct Choice: Codable, Sendable {
        public var text: String
        public var index: Int
        public var finishReason: String?
        public var logprobs: CompletionLogprobs? = nil
        enum CodingKeys: String, CodingKey {
            case text, index, logprobs
            case finishReason = "finish_reason"
        }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(text, forKey: .text)
            try container.encode(index, forKey: .index)
            try container.encode(logprobs, forKey: .logprobs)
            try container.encode(finishReason, forKey: .finishReason)
        }
    }
    public var id: String
    public var object = "text_completion"
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: CompletionUsage?
}
