import HavenAgents
import Hummingbird

/// Body of `POST /haven/agents/{name}/chat`.
public struct AgentChatRequest: Codable, Sendable {
    public let message: String
    /// Continue this conversation; absent starts a new one.
    public let conversationID: String?
    /// Answer as server-sent events: each tool call and result as it happens, then the answer.
    public let stream: Bool?

    public init(message: String, conversationID: String?, stream: Bool?) {
        self.message = message
        self.conversationID = conversationID
        self.stream = stream
    }

    enum CodingKeys: String, CodingKey {
        case message, stream
        case conversationID = "conversation_id"
    }
}

/// One step of an agent's work, as clients see it (in the answer's `trace`, or streamed).
public struct AgentTraceEntry: Codable, Sendable, Equatable {
    /// `tool_call`, `tool_result` or `answer`.
    public let type: String
    public let step: Int?
    public let name: String?
    public let arguments: String?
    public let text: String?
    public let isError: Bool?

    public init(_ event: AgentEvent) {
        switch event {
        case .toolCall(let step, let name, let arguments):
            self.init(type: "tool_call", step: step, name: name, arguments: arguments, text: nil, isError: nil)
        case .toolResult(let step, let name, let text, let isError):
            self.init(type: "tool_result", step: step, name: name, arguments: nil, text: text, isError: isError)
        case .answer(let text):
            self.init(type: "answer", step: nil, name: nil, arguments: nil, text: text, isError: nil)
        }
    }

    init(type: String, step: Int?, name: String?, arguments: String?, text: String?, isError: Bool?) {
        self.type = type
        self.step = step
        self.name = name
        self.arguments = arguments
        self.text = text
        self.isError = isError
    }

    enum CodingKeys: String, CodingKey {
        case type, step, name, arguments, text
        case isError = "is_error"
    }
}

/// Answer of `POST /haven/agents/{name}/chat` (and the last streamed event).
public struct AgentTurn: Codable, Sendable, ResponseEncodable {
    public let conversationID: String
    public let answer: String
    public let trace: [AgentTraceEntry]

    enum CodingKeys: String, CodingKey {
        case answer, trace
        case conversationID = "conversation_id"
    }
}

/// Body of `GET /haven/agents`.
public struct AgentList: Codable, Sendable, ResponseEncodable {
    public let agents: [AgentDefinition]
    /// Agent files that do not parse, with why.
    public let problems: [String: String]
}

/// Body of `GET /haven/conversations`.
public struct ConversationList: Codable, Sendable, ResponseEncodable {
    public let conversations: [Conversation]
}

extension AgentDefinition: ResponseEncodable {}
extension Conversation: ResponseEncodable {}

/// Body of `POST /haven/conversations`: a conversation with a model that the client keeps.
public struct NewConversationRequest: Codable, Sendable {
    public let model: String
    /// The first words of the first question; at most 80 characters are kept.
    public let title: String

    public init(model: String, title: String) {
        self.model = model
        self.title = title
    }
}

/// Body of `POST /haven/conversations/{id}/messages`: messages to add at the end.
public struct AppendMessagesRequest: Codable, Sendable {
    public let messages: [AgentMessage]

    public init(messages: [AgentMessage]) {
        self.messages = messages
    }
}
