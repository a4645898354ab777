import Foundation
import HavenInference
import Hummingbird

/// Ollama's `keep_alive`: `"5m"`, a number of seconds, `0` (unload when idle), or negative
/// (keep loaded).
public struct OllamaKeepAlive: Decodable, Sendable {
    public let value: LoadedModels.KeepAlive

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try (try? container.decode(Double.self)).map { String($0) } ?? container.decode(String.self)
        switch DurationText.parse(text) {
        case .duration(let duration)?: value = .duration(duration)
        case .forever?: value = .forever
        case nil:
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "keep_alive must be like \"5m\" or a number of seconds")
        }
    }
}

/// Body of `POST /api/chat`. `options` are Ollama's sampling options by Ollama's names
/// (those Haven does not use, such as `num_thread`, are ignored as Ollama ignores unknown ones).
public struct OllamaChatRequest: Decodable, Sendable {
    public struct Message: Decodable, Sendable {
        public let role: String
        public let content: String?
        /// Base64 images; Haven's models read text only, so a message with images is refused.
        public let images: [String]?
        /// Calls an earlier assistant turn made.
        public let toolCalls: [OllamaToolCall]?
        /// For `role: tool`, the tool whose result this is.
        public let toolName: String?

        enum CodingKeys: String, CodingKey {
            case role, content, images
            case toolCalls = "tool_calls"
            case toolName = "tool_name"
        }
    }
    public let model: String
    /// Absent or empty: load (or with `keep_alive: 0` unload) the model, as Ollama does.
    public let messages: [Message]?
    /// Ollama streams unless told not to.
    public let stream: Bool?
    public let options: ModelParameters?
    /// `"json"` or a JSON schema the answer must follow.
    public let format: JSONValue?
    public let keepAlive: OllamaKeepAlive?
    /// `{"type": "function", "function": {"name", "description", "parameters"}}`, as OpenAI's.
    public let tools: [JSONValue]?
    /// Thinking mode; refused when asked for, since Haven's models do not think apart.
    public let think: JSONValue?
    public let logprobs: Bool?

    enum CodingKeys: String, CodingKey {
        case model, messages, stream, options, format, tools, think, logprobs
        case keepAlive = "keep_alive"
    }
}

/// A tool call in Ollama's shape: the arguments are a JSON object, not text.
public struct OllamaToolCall: Codable, Sendable, Equatable {
    public struct Function: Codable, Sendable, Equatable {
        public let name: String
        public let arguments: JSONValue
        public init(name: String, arguments: JSONValue) {
            self.name = name
            self.arguments = arguments
        }
    }
    public let function: Function

    public init(function: Function) {
        self.function = function
    }
}

/// Body of `POST /api/generate`.
public struct OllamaGenerateRequest: Decodable, Sendable {
    public let model: String
    public let prompt: String?
    public let system: String?
    /// Send the prompt as is, without the chat template.
    public let raw: Bool?
    public let stream: Bool?
    public let options: ModelParameters?
    public let format: JSONValue?
    public let keepAlive: OllamaKeepAlive?
    /// Refused when set: Haven always uses the model's own chat template.
    public let template: String?
    /// Refused when set: fill-in-the-middle is not supported.
    public let suffix: String?
    public let images: [String]?
    public let think: JSONValue?

    enum CodingKeys: String, CodingKey {
        case model, prompt, system, raw, stream, options, format, template, suffix, images, think
        case keepAlive = "keep_alive"
    }
}

/// The assistant's message in an `/api/chat` answer line.
public struct OllamaResponseMessage: Encodable, Sendable {
    public var role = "assistant"
    public var content: String
    public var toolCalls: [OllamaToolCall]?

    enum CodingKeys: String, CodingKey {
        case role, content
        case toolCalls = "tool_calls"
    }
}

/// One NDJSON line of `/api/chat` or `/api/generate`; the last has `done: true` and the counts.
public struct OllamaResponseLine: Encodable, Sendable {
    public var model: String
    public var createdAt: String
    public var message: OllamaResponseMessage?
    public var response: String?
    public var done: Bool
    public var doneReason: String?
    public var totalDuration: Int?
    public var loadDuration: Int?
    public var promptEvalCount: Int?
    public var promptEvalDuration: Int?
    public var evalCount: Int?
    public var evalDuration: Int?

    enum CodingKeys: String, CodingKey {
        case model, message, response, done
        case createdAt = "created_at"
        case doneReason = "done_reason"
        case totalDuration = "total_duration"
        case loadDuration = "load_duration"
        case promptEvalCount = "prompt_eval_count"
        case promptEvalDuration = "prompt_eval_duration"
        case evalCount = "eval_count"
        case evalDuration = "eval_duration"
    }
}

/// `GET /api/tags` and `GET /api/ps`.
public struct OllamaModelList: Encodable, Sendable, ResponseEncodable {
    public struct Model: Encodable, Sendable {
        public struct Details: Encodable, Sendable {
            public let format = "gguf"
            public let family: String?
            public let parameterSize: String?
            /// For a model made with `/api/create` from another: that model.
            public var parentModel: String? = nil
            enum CodingKeys: String, CodingKey {
                case format, family
                case parameterSize = "parameter_size"
                case parentModel = "parent_model"
            }
        }
        public let name: String
        public let model: String
        public let modifiedAt: String
        public let size: Int64
        public let details: Details
        /// In `/api/ps` only: when the model is unloaded if left idle.
        public var expiresAt: String? = nil
        enum CodingKeys: String, CodingKey {
            case name, model, size, details
            case modifiedAt = "modified_at"
            case expiresAt = "expires_at"
        }
    }
    public let models: [Model]
}

/// Body of `POST /api/show`.
public struct OllamaShowRequest: Decodable, Sendable {
    public let model: String
}

/// Answer of `POST /api/show`: the model's Modelfile, parameters, system prompt, template,
/// details and GGUF metadata.
public struct OllamaShowResponse: Encodable, Sendable, ResponseEncodable {
    public let modelfile: String
    /// The model's `PARAMETER` defaults, one `name value` line each.
    public let parameters: String
    /// The model's own system prompt, if it was made with one.
    public let system: String?
    public let template: String
    public let details: OllamaModelList.Model.Details
    public let modelInfo: [String: JSONValue]
    public let capabilities: [String]
    public let modifiedAt: String

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(modelfile, forKey: .modelfile)
        try container.encode(parameters, forKey: .parameters)
        try container.encodeIfPresent(system, forKey: .system)
        try container.encode(template, forKey: .template)
        try container.encode(details, forKey: .details)
        try container.encode(JSONValue.object(modelInfo, order: modelInfo.keys.sorted()), forKey: .modelInfo)
        try container.encode(capabilities, forKey: .capabilities)
        try container.encode(modifiedAt, forKey: .modifiedAt)
    }

    enum CodingKeys: String, CodingKey {
        case modelfile, parameters, system, template, details, capabilities
        case modelInfo = "model_info"
        case modifiedAt = "modified_at"
    }
}
