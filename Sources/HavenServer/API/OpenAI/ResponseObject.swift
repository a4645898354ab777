import Foundation
import HavenInference
import Hummingbird

/// A response of the Responses API (`object: "response"`): what `POST /v1/responses` answers,
/// `GET /v1/responses/{id}` reads back, and the lifecycle stream events carry.
public struct ResponseObject: Encodable, Sendable, ResponseEncodable {
    public var id: String
    public var object = "response"
    public var createdAt: Int
    /// `in_progress`, `completed` or `incomplete` (cut by `max_output_tokens`).
    public var status: String
    public var error: String? = nil
    public var incompleteDetails: IncompleteDetails?
    public var instructions: String?
    public var maxOutputTokens: Int?
    public var model: String
    public var output: [ResponseOutputItem]
    public var parallelToolCalls = true
    public var previousResponseID: String?
    public var temperature: Double?
    public var topP: Double?
    public var toolChoice: ResponseToolChoice
    public var tools: [ResponsesTool]
    public var text: ResponsesRequest.TextOptions
    public var usage: ResponseUsage?
    public var store: Bool
    public var metadata: [String: String]

    /// Why a response stopped short.
    public struct IncompleteDetails: Encodable, Sendable {
        public var reason: String
    }

    enum CodingKeys: String, CodingKey {
        case id, object, status, error, instructions, model, output, temperature, tools, text, usage, store, metadata
        case createdAt = "created_at"
        case incompleteDetails = "incomplete_details"
        case maxOutputTokens = "max_output_tokens"
        case parallelToolCalls = "parallel_tool_calls"
        case previousResponseID = "previous_response_id"
        case topP = "top_p"
        case toolChoice = "tool_choice"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(status, forKey: .status)
        try container.encode(error, forKey: .error)
        try container.encode(incompleteDetails, forKey: .incompleteDetails)
        try container.encode(instructions, forKey: .instructions)
        try container.encode(maxOutputTokens, forKey: .maxOutputTokens)
        try container.encode(model, forKey: .model)
        try container.encode(output, forKey: .output)
        try container.encode(parallelToolCalls, forKey: .parallelToolCalls)
        try container.encode(previousResponseID, forKey: .previousResponseID)
        try container.encode(temperature, forKey: .temperature)
        try container.encode(topP, forKey: .topP)
        try container.encode(toolChoice, forKey: .toolChoice)
        try container.encode(tools, forKey: .tools)
        try container.encode(text, forKey: .text)
        try container.encode(usage, forKey: .usage)
        try container.encode(store, forKey: .store)
        try container.encode(metadata, forKey: .metadata)
    }
}

/// `tool_choice` as a response states it: `none`, `auto`, `required`, or a named function.
public enum ResponseToolChoice: Encodable, Sendable, Equatable {
    case mode(String)
    case function(String)

    public init(_ choice: ChatCompletionRequest.ToolChoice?) {
        switch choice {
        case nil, .some(.auto): self = .mode("auto")
        case .some(.none): self = .mode("none")
        case .some(.required): self = .mode("required")
        case .some(.function(let name)): self = .function(name)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .mode(let mode):
            var container = encoder.singleValueContainer()
            try container.encode(mode)
        case .function(let name):
            var container = encoder.singleValueContainer()
            try container.encode(["type": "function", "name": name])
        }
    }
}

/// Token counts in the Responses API's shape.
public struct ResponseUsage: Encodable, Sendable {
    public struct InputDetails: Encodable, Sendable {
        public var cachedTokens: Int
        enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
    }
    public struct OutputDetails: Encodable, Sendable {
        public var reasoningTokens = 0
        enum CodingKeys: String, CodingKey { case reasoningTokens = "reasoning_tokens" }
    }
    public var inputTokens: Int
    public var inputTokensDetails: InputDetails
    public var outputTokens: Int
    public var outputTokensDetails = OutputDetails()
    public var totalTokens: Int

    public init(_ usage: CompletionUsage) {
        inputTokens = usage.promptTokens
        inputTokensDetails = .init(cachedTokens: usage.promptTokensDetails.cachedTokens)
        outputTokens = usage.completionTokens
        totalTokens = usage.totalTokens
    }

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case inputTokensDetails = "input_tokens_details"
        case outputTokens = "output_tokens"
        case outputTokensDetails = "output_tokens_details"
        case totalTokens = "total_tokens"
    }
}

/// An output item: the assistant's message, or a call to one of the request's functions.
public enum ResponseOutputItem: Encodable, Sendable, Equatable {
    case message(id: String, status: String, text: String?)
    case functionCall(id: String, callID: String, name: String, arguments: String, status: String)

    public var id: String {
        switch self {
        case .message(let id, _, _), .functionCall(let id, _, _, _, _): id
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, id, status, role, content, name, arguments
        case callID = "call_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .message(let id, let status, let text):
            try container.encode("message", forKey: .type)
            try container.encode(id, forKey: .id)
            try container.encode(status, forKey: .status)
            try container.encode("assistant", forKey: .role)
            try container.encode(text.map { [ResponseContentPart(text: $0)] } ?? [], forKey: .content)
        case .functionCall(let id, let callID, let name, let arguments, let status):
            try container.encode("function_call", forKey: .type)
            try container.encode(id, forKey: .id)
            try container.encode(callID, forKey: .callID)
            try container.encode(name, forKey: .name)
            try container.encode(arguments, forKey: .arguments)
            try container.encode(status, forKey: .status)
        }
    }
}

/// A message's `output_text` part.
public struct ResponseContentPart: Encodable, Sendable, Equatable {
    public var type = "output_text"
    public var text: String
    public var annotations: [String] = []
    public var logprobs: [String] = []

    public init(text: String) {
        self.text = text
    }
}

/// One event of a streamed response (`event: <type>` / `data: {…}`), numbered in order.
public struct ResponseStreamEvent: Encodable, Sendable {
    public var type: String
    public var sequenceNumber: Int
    public var response: ResponseObject?
    public var outputIndex: Int?
    public var item: ResponseOutputItem?
    public var itemID: String?
    public var contentIndex: Int?
    public var part: ResponseContentPart?
    public var delta: String?
    public var text: String?
    public var name: String?
    public var arguments: String?
    /// Text events carry a (here always empty) list of log-probabilities.
    public var logprobs: [String]?

    public init(type: String, sequenceNumber: Int) {
        self.type = type
        self.sequenceNumber = sequenceNumber
    }

    enum CodingKeys: String, CodingKey {
        case type, response, item, part, delta, text, name, arguments, logprobs
        case sequenceNumber = "sequence_number"
        case outputIndex = "output_index"
        case itemID = "item_id"
        case contentIndex = "content_index"
    }
}
