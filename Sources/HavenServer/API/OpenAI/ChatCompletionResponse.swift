import Hummingbird

/// Token counts in OpenAI's shape.
public struct CompletionUsage: Codable, Sendable {
    public struct PromptDetails: Codable, Sendable {
        public let cachedTokens: Int
        enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
    }
    public let promptTokens: Int
    public let completionTokens: Int
    public let totalTokens: Int
    public let promptTokensDetails: PromptDetails

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
        case promptTokensDetails = "prompt_tokens_details"
    }
}

/// Answer of a non-streaming `POST /v1/chat/completions`.
public struct ChatCompletionResponse: Codable, Sendable, ResponseEncodable {
    public struct Choice: Codable, Sendable {
        public let index: Int
        public let message: ChatMessage
        public let finishReason: String
        /// The tokens' log-probabilities, when the request asked for them.
        public var logprobs: ChatLogprobs? = nil
        enum CodingKeys: String, CodingKey {
            case index, message, logprobs
            case finishReason = "finish_reason"
        }
    }
    public var id: String
    public var object = "chat.completion"
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: CompletionUsage
    /// Haven's extension for `agent:NAME` models: the conversation id and the tool trace.
    public var haven: AgentTurn?
}

/// A message in an answer: text, or calls to tools (then `content` is null).
public struct ChatMessage: Codable, Sendable {
    public let role: String
    public let content: String?
    public var toolCalls: [ToolCall]?

    public init(role: String, content: String?, toolCalls: [ToolCall]? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
    }

    enum CodingKeys: String, CodingKey {
        case role, content
        case toolCalls = "tool_calls"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role, forKey: .role)
        try container.encode(content, forKey: .content)
        try container.encodeIfPresent(toolCalls, forKey: .toolCalls)
    }
}

/// A call to a tool, in OpenAI's shape; `arguments` is JSON text.
public struct ToolCall: Codable, Sendable {
    public struct Function: Codable, Sendable {
        public let name: String
        public let arguments: String
    }
    public var index: Int?
    public let id: String
    public var type = "function"
    public let function: Function

    public init(index: Int? = nil, id: String, function: Function) {
        self.index = index
        self.id = id
        self.function = function
    }
}

/// A piece of a streamed tool call: the first for a call carries its `id`, `type` and name
/// (with empty arguments); the following ones carry only argument text to append.
public struct ToolCallDelta: Codable, Sendable, Equatable {
    public struct Function: Codable, Sendable, Equatable {
        public var name: String?
        public var arguments: String?
    }
    public var index: Int
    public var id: String?
    public var type: String?
    public var function: Function

    /// The first delta of call `index`.
    public static func start(index: Int, id: String, name: String) -> ToolCallDelta {
        ToolCallDelta(index: index, id: id, type: "function", function: .init(name: name, arguments: ""))
    }

    /// More arguments for call `index`.
    public static func arguments(index: Int, _ fragment: String) -> ToolCallDelta {
        ToolCallDelta(index: index, id: nil, type: nil, function: .init(name: nil, arguments: fragment))
    }
}

/// One server-sent event of a streaming chat completion.
public struct ChatCompletionChunk: Codable, Sendable {
    public struct Delta: Codable, Sendable {
        public var role: String?
        public var content: String?
        /// Calls as they are generated: a call's first delta names it, later ones add arguments.
        public var toolCalls: [ToolCallDelta]?
        enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
        }
    }
    public struct Choice: Codable, Sendable {
        public var index: Int
        public var delta: Delta
        public var finishReason: String?
        /// Log-probabilities of the tokens this chunk's delta came from, when asked for.
        public var logprobs: ChatLogprobs? = nil
        enum CodingKeys: String, CodingKey {
            case index, delta, logprobs
            case finishReason = "finish_reason"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(delta, forKey: .delta)
            // OpenAI sends explicit nulls until they have a value.
            try container.encode(logprobs, forKey: .logprobs)
            try container.encode(finishReason, forKey: .finishReason)
        }
    }
    public var id: String
    public var object = "chat.completion.chunk"
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: CompletionUsage?
    /// Haven's extension for `agent:NAME` models, on the last chunk: the conversation id and
    /// the tool trace.
    public var haven: AgentTurn?
}

/// `GET /v1/models`.
public struct ModelList: Codable, Sendable, ResponseEncodable {
    public struct Model: Codable, Sendable, ResponseEncodable {
        public var id: String
        public var object = "model"
        public var created: Int
        public var ownedBy: String
        enum CodingKeys: String, CodingKey {
            case id, object, created
            case ownedBy = "owned_by"
        }
    }
    public var object = "list"
    public var data: [Model]
}
