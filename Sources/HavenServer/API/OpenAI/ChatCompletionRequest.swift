import HavenInference

/// Body of `POST /v1/chat/completions`, as OpenAI's clients send it. Fields Haven does not
/// support yet (`tools`, `response_format` other than text) are refused, not ignored.
public struct ChatCompletionRequest: Decodable, Sendable {
    public struct Message: Decodable, Sendable {
        public let role: String
        public let content: MessageContent?
        /// Calls an earlier assistant turn made.
        public let toolCalls: [ToolCall]?
        /// For `role: tool`, the call this is the result of.
        public let toolCallID: String?

        enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
            case toolCallID = "tool_call_id"
        }
    }

    /// `{"type": "function", "function": {"name", "description", "parameters"}}`.
    public struct Tool: Decodable, Sendable {
        public struct Function: Decodable, Sendable {
            public let name: String
            public let description: String?
            public let parameters: JSONValue?
        }
        public let type: String
        public let function: Function
    }

    /// `"none" | "auto" | "required"` or `{"type": "function", "function": {"name": …}}`.
    public enum ToolChoice: Decodable, Sendable, Equatable {
        case none, auto, required
        case function(String)

        struct Named: Decodable {
            struct Function: Decodable { let name: String }
            let function: Function
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let word = try? container.decode(String.self) {
                switch word {
                case "none": self = .none
                case "auto": self = .auto
                case "required": self = .required
                default:
                    throw DecodingError.dataCorruptedError(
                        in: container, debugDescription: "tool_choice must be none, auto, required or a function")
                }
            } else {
                self = .function(try container.decode(Named.self).function.name)
            }
        }
    }

    public struct StreamOptions: Decodable, Sendable {
        public let includeUsage: Bool?
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    public let model: String
    public let messages: [Message]
    public let stream: Bool?
    public let streamOptions: StreamOptions?
    public let maxTokens: Int?
    public let maxCompletionTokens: Int?
    public let temperature: Double?
    public let topP: Double?
    public let topK: Int?
    public let minP: Double?
    public let seed: Int?
    public let stop: OneOrMany?
    public let presencePenalty: Double?
    public let frequencyPenalty: Double?
    public let repeatPenalty: Double?
    public let n: Int?
    public let tools: [Tool]?
    public let toolChoice: ToolChoice?
    public let responseFormat: ResponseFormat?
    /// Whether each token comes with its log-probability.
    public var logprobs: Bool? = nil
    /// How many most likely alternatives each token lists (0 to 20; needs `logprobs`).
    public var topLogprobs: Int? = nil

    /// `{"type": "text" | "json_object" | "json_schema", "json_schema": {"name", "schema", "strict"}}`.
    public struct ResponseFormat: Decodable, Sendable {
        public struct Schema: Decodable, Sendable {
            public let name: String?
            public let schema: JSONValue?
        }
        public let type: String
        public let jsonSchema: Schema?
        enum CodingKeys: String, CodingKey {
            case type
            case jsonSchema = "json_schema"
        }
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, stream, temperature, seed, stop, n, tools
        case toolChoice = "tool_choice"
        case streamOptions = "stream_options"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case topP = "top_p"
        case topK = "top_k"
        case minP = "min_p"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case repeatPenalty = "repeat_penalty"
        case responseFormat = "response_format"
        case logprobs
        case topLogprobs = "top_logprobs"
    }
}

/// A message's content: a string, or OpenAI's list of parts (of which text parts are used).
public struct MessageContent: Decodable, Sendable {
    public let text: String

    /// Content that is plain text, for requests built in code (translations from other APIs).
    public init(text: String) {
        self.text = text
    }

    struct Part: Decodable {
        let type: String
        let text: String?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self.text = text
        } else {
            let parts = try container.decode([Part].self)
            guard parts.allSatisfy({ $0.type == "text" }) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "only text content parts are supported")
            }
            self.text = parts.compactMap(\.text).joined()
        }
    }
}

/// One string or a list of them (`stop`, a completion's `prompt`, an embedding's `input`).
public struct OneOrMany: Decodable, Sendable {
    public let values: [String]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) {
            values = [one]
        } else {
            values = try container.decode([String].self)
        }
    }
}
