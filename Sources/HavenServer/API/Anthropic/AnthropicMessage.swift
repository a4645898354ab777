import HavenInference
import Hummingbird

/// Anthropic's message object: the answer of a non-streaming `POST /v1/messages`, and (with
/// no content yet) the `message` of a stream's `message_start`.
public struct AnthropicMessage: Encodable, Sendable, ResponseEncodable {
    public var id: String
    public var type = "message"
    public var role = "assistant"
    public var model: String
    public var content: [ContentBlock]
    /// `end_turn`, `max_tokens`, `stop_sequence` or `tool_use`; `null` in `message_start`.
    public var stopReason: String?
    /// The stop sequence that ended the answer, when one did.
    public var stopSequence: String?
    public var usage: AnthropicUsage

    enum CodingKeys: String, CodingKey {
        case id, type, role, model, content, usage
        case stopReason = "stop_reason"
        case stopSequence = "stop_sequence"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(role, forKey: .role)
        try container.encode(model, forKey: .model)
        try container.encode(content, forKey: .content)
        // Anthropic sends explicit nulls for both.
        try container.encode(stopReason, forKey: .stopReason)
        try container.encode(stopSequence, forKey: .stopSequence)
        try container.encode(usage, forKey: .usage)
    }

    /// A block of the answer: text, or a call to one of the request's tools.
    public enum ContentBlock: Encodable, Sendable, Equatable {
        case text(String)
        case toolUse(id: String, name: String, input: JSONValue)

        enum CodingKeys: String, CodingKey { case type, text, id, name, input }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .text(let text):
                try container.encode("text", forKey: .type)
                try container.encode(text, forKey: .text)
            case .toolUse(let id, let name, let input):
                try container.encode("tool_use", forKey: .type)
                try container.encode(id, forKey: .id)
                try container.encode(name, forKey: .name)
                try container.encode(input, forKey: .input)
            }
        }
    }
}

/// Token counts as Anthropic reports them: `input_tokens` excludes the prompt tokens whose
/// computation was reused from the prefix cache, which are `cache_read_input_tokens`.
public struct AnthropicUsage: Encodable, Sendable, Equatable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var cacheCreationInputTokens = 0
    public var cacheReadInputTokens = 0

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case cacheCreationInputTokens = "cache_creation_input_tokens"
        case cacheReadInputTokens = "cache_read_input_tokens"
    }

    /// The counts for a prompt of `prompt` tokens, `cached` of them reused, and an answer of
    /// `output` tokens.
    public init(prompt: Int, cached: Int, output: Int) {
        inputTokens = prompt - cached
        outputTokens = output
        cacheReadInputTokens = cached
    }
}

/// Answer of `POST /v1/messages/count_tokens`.
public struct AnthropicTokenCount: Encodable, Sendable, ResponseEncodable {
    public let inputTokens: Int
    enum CodingKeys: String, CodingKey { case inputTokens = "input_tokens" }
}
