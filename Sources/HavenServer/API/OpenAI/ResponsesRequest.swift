import HavenInference

/// Body of `POST /v1/responses` (OpenAI's Responses API), the parts Haven serves: `input` as
/// text or items (messages, function calls and their outputs), `instructions`, function
/// tools, `text.format`, sampling and length, `store` and `previous_response_id`.
public struct ResponsesRequest: Decodable, Sendable {
    public var model: String
    public var input: ResponsesInput?
    public var instructions: String?
    public var tools: [ResponsesTool]?
    public var toolChoice: ResponsesToolChoice?
    public var text: TextOptions?
    public var maxOutputTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    /// Kept to be continued and read back (OpenAI's default is to keep).
    public var store: Bool?
    public var previousResponseID: String?
    public var stream: Bool?
    public var topLogprobs: Int?
    public var parallelToolCalls: Bool?
    public var metadata: [String: String]?

    /// `{"format": {"type": "text" | "json_object" | "json_schema", "name", "schema", "strict"}}`.
    public struct TextOptions: Codable, Sendable {
        public struct Format: Codable, Sendable {
            public var type: String
            public var name: String?
            public var schema: JSONValue?
            public var strict: Bool?
        }
        public var format: Format?
    }

    enum CodingKeys: String, CodingKey {
        case model, input, instructions, tools, text, temperature, store, stream, metadata
        case toolChoice = "tool_choice"
        case maxOutputTokens = "max_output_tokens"
        case topP = "top_p"
        case previousResponseID = "previous_response_id"
        case topLogprobs = "top_logprobs"
        case parallelToolCalls = "parallel_tool_calls"
    }
}

/// `tool_choice` in the Responses API: `"none" | "auto" | "required"` or the flat
/// `{"type": "function", "name": …}`.
public struct ResponsesToolChoice: Decodable, Sendable, Equatable {
    public let choice: ChatCompletionRequest.ToolChoice

    public init(_ choice: ChatCompletionRequest.ToolChoice) {
        self.choice = choice
    }

    struct Named: Decodable {
        let type: String
        let name: String?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let word = try? container.decode(String.self) {
            switch word {
            case "none": choice = .none
            case "auto": choice = .auto
            case "required": choice = .required
            default:
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "tool_choice must be none, auto, required or {\"type\": \"function\", \"name\": …}")
            }
            return
        }
        let named = try container.decode(Named.self)
        guard named.type == "function", let name = named.name else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "tool_choice type '\(named.type)' is not supported; name a function tool")
        }
        choice = .function(name)
    }
}

/// A function tool in the Responses API's flat shape: `{"type": "function", "name",
/// "description", "parameters", "strict"}`.
public struct ResponsesTool: Codable, Sendable {
    public var type: String
    public var name: String?
    public var description: String?
    public var parameters: JSONValue?
    public var strict: Bool?
}

/// `input`: one text (a user message), or a list of items.
public enum ResponsesInput: Decodable, Sendable {
    case text(String)
    case items([ResponsesInputItem])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .items(try container.decode([ResponsesInputItem].self))
        }
    }
}

/// One input item: a message, a function call the model made earlier, or a call's output.
public enum ResponsesInputItem: Decodable, Sendable, Equatable {
    case message(role: String, text: String)
    case functionCall(callID: String, name: String, arguments: String)
    case functionCallOutput(callID: String, output: String)

    enum CodingKeys: String, CodingKey {
        case type, role, content, name, arguments, output
        case callID = "call_id"
    }

    /// A message's content part: only text is read.
    struct Part: Decodable {
        let type: String
        let text: String?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decodeIfPresent(String.self, forKey: .type) ?? "message"
        switch type {
        case "message":
            let role = try container.decode(String.self, forKey: .role)
            if let text = try? container.decode(String.self, forKey: .content) {
                self = .message(role: role, text: text)
                return
            }
            let parts = try container.decode([Part].self, forKey: .content)
            let textTypes: Set<String> = ["input_text", "output_text", "text"]
            guard parts.allSatisfy({ textTypes.contains($0.type) }) else {
                let other = parts.first { !textTypes.contains($0.type) }!.type
                throw DecodingError.dataCorruptedError(
                    forKey: .content, in: container,
                    debugDescription: "content part type '\(other)' is not supported; send input_text parts")
            }
            self = .message(role: role, text: parts.compactMap(\.text).joined())
        case "function_call":
            self = .functionCall(
                callID: try container.decode(String.self, forKey: .callID),
                name: try container.decode(String.self, forKey: .name),
                arguments: try container.decode(String.self, forKey: .arguments))
        case "function_call_output":
            let output: String
            if let text = try? container.decode(String.self, forKey: .output) {
                output = text
            } else {
                output = try container.decode([Part].self, forKey: .output).compactMap(\.text).joined()
            }
            self = .functionCallOutput(callID: try container.decode(String.self, forKey: .callID), output: output)
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container,
                debugDescription: "input item type '\(type)' is not supported; use message, function_call or function_call_output")
        }
    }
}
