import HavenInference

/// Body of Anthropic's `POST /v1/messages` (and `/v1/messages/count_tokens`, which leaves out
/// `max_tokens`). Decoding is lenient about what the translation then judges: a content block
/// of a kind Haven cannot read is kept as ``ContentBlock/unsupported(_:)`` so that the refusal
/// can name it. `metadata` and `cache_control` are accepted and not used.
public struct AnthropicMessagesRequest: Decodable, Sendable {
    public let model: String
    /// Required by `/v1/messages`, as Anthropic requires it.
    public let maxTokens: Int?
    public let messages: [Message]
    public let system: [TextBlock]?
    public let stopSequences: [String]?
    public let stream: Bool?
    public let temperature: Double?
    public let topP: Double?
    public let topK: Int?
    public let tools: [Tool]?
    public let toolChoice: ToolChoice?
    public let metadata: JSONValue?
    public let thinking: Thinking?
    /// Structured output: `{"format": {"type": "json_schema", "schema": …}}` (`effort` is
    /// accepted and not used).
    public let outputConfig: OutputConfig?

    enum CodingKeys: String, CodingKey {
        case model, messages, system, stream, temperature, tools, metadata, thinking
        case outputConfig = "output_config"
        case maxTokens = "max_tokens"
        case stopSequences = "stop_sequences"
        case topP = "top_p"
        case topK = "top_k"
        case toolChoice = "tool_choice"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens)
        messages = try container.decode([Message].self, forKey: .messages)
        if let text = try? container.decodeIfPresent(String.self, forKey: .system) {
            system = [TextBlock(text: text)]
        } else {
            system = try container.decodeIfPresent([TextBlock].self, forKey: .system)
        }
        stopSequences = try container.decodeIfPresent([String].self, forKey: .stopSequences)
        stream = try container.decodeIfPresent(Bool.self, forKey: .stream)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        topK = try container.decodeIfPresent(Int.self, forKey: .topK)
        tools = try container.decodeIfPresent([Tool].self, forKey: .tools)
        toolChoice = try container.decodeIfPresent(ToolChoice.self, forKey: .toolChoice)
        metadata = try container.decodeIfPresent(JSONValue.self, forKey: .metadata)
        thinking = try container.decodeIfPresent(Thinking.self, forKey: .thinking)
        outputConfig = try container.decodeIfPresent(OutputConfig.self, forKey: .outputConfig)
    }

    /// `{"type": "text", "text": …}`, as `system` takes it.
    public struct TextBlock: Decodable, Sendable {
        public let text: String
        init(text: String) { self.text = text }
    }

    /// A turn: its content is a string or a list of blocks.
    public struct Message: Decodable, Sendable {
        public let role: String
        public let content: [ContentBlock]

        enum CodingKeys: String, CodingKey { case role, content }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            role = try container.decode(String.self, forKey: .role)
            if let text = try? container.decode(String.self, forKey: .content) {
                content = [.text(text)]
            } else {
                content = try container.decode([ContentBlock].self, forKey: .content)
            }
        }
    }

    /// One block of a message's content.
    public enum ContentBlock: Decodable, Sendable, Equatable {
        case text(String)
        /// A call an earlier assistant turn made.
        case toolUse(id: String, name: String, input: JSONValue)
        /// A tool's answer to call `toolUseID`, as text.
        case toolResult(toolUseID: String, content: String, isError: Bool)
        /// `thinking` and `redacted_thinking` blocks handed back: the model never sees them.
        case thinking
        /// A kind of block Haven cannot give a model (`image`, `document`, …), by its type.
        case unsupported(String)

        enum CodingKeys: String, CodingKey {
            case type, text, id, name, input, content
            case toolUseID = "tool_use_id"
            case isError = "is_error"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let type = try container.decode(String.self, forKey: .type)
            switch type {
            case "text":
                self = .text(try container.decode(String.self, forKey: .text))
            case "tool_use":
                self = .toolUse(
                    id: try container.decode(String.self, forKey: .id), name: try container.decode(String.self, forKey: .name),
                    input: try container.decodeIfPresent(JSONValue.self, forKey: .input) ?? .object([:], order: []))
            case "tool_result":
                let id = try container.decode(String.self, forKey: .toolUseID)
                let isError = try container.decodeIfPresent(Bool.self, forKey: .isError) ?? false
                if let text = try? container.decodeIfPresent(String.self, forKey: .content) {
                    self = .toolResult(toolUseID: id, content: text, isError: isError)
                    return
                }
                let blocks = try container.decodeIfPresent([ContentBlock].self, forKey: .content) ?? []
                var texts: [String] = []
                for block in blocks {
                    switch block {
                    case .text(let text): texts.append(text)
                    case .unsupported(let kind): self = .unsupported(kind + " in tool_result"); return
                    default: self = .unsupported("tool_result holding other blocks"); return
                    }
                }
                self = .toolResult(toolUseID: id, content: texts.joined(separator: "\n"), isError: isError)
            case "thinking", "redacted_thinking":
                self = .thinking
            default:
                self = .unsupported(type)
            }
        }
    }

    /// `{"name", "description", "input_schema"}`; a `type` other than `custom` names one of
    /// Anthropic's own server tools, which Haven does not have.
    public struct Tool: Decodable, Sendable {
        public let type: String?
        public let name: String
        public let description: String?
        public let inputSchema: JSONValue?

        enum CodingKeys: String, CodingKey {
            case type, name, description
            case inputSchema = "input_schema"
        }
    }

    /// `{"type": "auto" | "any" | "tool" | "none", "name"}`.
    public struct ToolChoice: Decodable, Sendable {
        public let type: String
        public let name: String?
        /// Accepted; Haven's tool grammar may make several calls either way.
        public let disableParallelToolUse: Bool?

        enum CodingKeys: String, CodingKey {
            case type, name
            case disableParallelToolUse = "disable_parallel_tool_use"
        }
    }

    /// `output_config`: the answer's format.
    public struct OutputConfig: Decodable, Sendable {
        public struct Format: Decodable, Sendable {
            public let type: String
            public let schema: JSONValue?
        }
        public let format: Format?
    }

    /// `{"type": "enabled", "budget_tokens"}` or `{"type": "disabled"}`.
    public struct Thinking: Decodable, Sendable {
        public let type: String
    }
}
