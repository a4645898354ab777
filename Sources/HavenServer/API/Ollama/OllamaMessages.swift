import Foundation
import HavenInference
import Hummingbird

/// Ollama's `options`: sampling settings by Ollama's names.
public struct OllamaOptions: Decodable, Sendable {
    public let temperature: Double?
    public let topP: Double?
    public let topK: Int?
    public let minP: Double?
    public let seed: Int?
    public let numPredict: Int?
    public let stop: [String]?
    public let repeatPenalty: Double?
    public let presencePenalty: Double?
    public let frequencyPenalty: Double?

    enum CodingKeys: String, CodingKey {
        case temperature, seed, stop
        case topP = "top_p"
        case topK = "top_k"
        case minP = "min_p"
        case numPredict = "num_predict"
        case repeatPenalty = "repeat_penalty"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
    }
}

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

/// Body of `POST /api/chat`.
public struct OllamaChatRequest: Decodable, Sendable {
    public struct Message: Codable, Sendable {
        public let role: String
        public let content: String
    }
    public let model: String
    public let messages: [Message]
    /// Ollama streams unless told not to.
    public let stream: Bool?
    public let options: OllamaOptions?
    /// `"json"` or a JSON schema the answer must follow.
    public let format: JSONValue?
    public let keepAlive: OllamaKeepAlive?

    enum CodingKeys: String, CodingKey {
        case model, messages, stream, options, format
        case keepAlive = "keep_alive"
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
    public let options: OllamaOptions?
    public let format: JSONValue?
    public let keepAlive: OllamaKeepAlive?

    enum CodingKeys: String, CodingKey {
        case model, prompt, system, raw, stream, options, format
        case keepAlive = "keep_alive"
    }
}

/// One NDJSON line of `/api/chat` or `/api/generate`; the last has `done: true` and the counts.
public struct OllamaResponseLine: Encodable, Sendable {
    public var model: String
    public var createdAt: String
    public var message: OllamaChatRequest.Message?
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
            enum CodingKeys: String, CodingKey {
                case format, family
                case parameterSize = "parameter_size"
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

/// Answer of `POST /api/show`: the model's template, details and GGUF metadata.
public struct OllamaShowResponse: Encodable, Sendable, ResponseEncodable {
    public let modelfile: String
    public let parameters: String
    public let template: String
    public let details: OllamaModelList.Model.Details
    public let modelInfo: [String: JSONValue]

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(modelfile, forKey: .modelfile)
        try container.encode(parameters, forKey: .parameters)
        try container.encode(template, forKey: .template)
        try container.encode(details, forKey: .details)
        try container.encode(JSONValue.object(modelInfo, order: modelInfo.keys.sorted()), forKey: .modelInfo)
        try container.encode(modifiedAt, forKey: .modifiedAt)
    }
    public let modifiedAt: String

    enum CodingKeys: String, CodingKey {
        case modelfile, parameters, template, details
        case modelInfo = "model_info"
        case modifiedAt = "modified_at"
    }
}
