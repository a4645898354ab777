/// One message of an agent conversation: what the person said, what the model answered or
/// asked to call, and what a tool returned.
public struct AgentMessage: Sendable, Equatable, Codable {
    public enum Role: String, Sendable, Codable { case system, user, assistant, tool }

    public let role: Role
    public let content: String
    /// For an assistant message: the tools it asked to call.
    public let toolCalls: [AgentToolCall]
    /// For a tool message: which tool answered.
    public let toolName: String?

    public init(role: Role, content: String, toolCalls: [AgentToolCall] = [], toolName: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolName = toolName
    }

    enum CodingKeys: String, CodingKey {
        case role, content
        case toolCalls = "tool_calls"
        case toolName = "tool_name"
    }

    /// `tool_calls` and `tool_name` may be left out, as clients writing plain messages do.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(Role.self, forKey: .role)
        content = try container.decode(String.self, forKey: .content)
        toolCalls = try container.decodeIfPresent([AgentToolCall].self, forKey: .toolCalls) ?? []
        toolName = try container.decodeIfPresent(String.self, forKey: .toolName)
    }
}

/// A tool call as the model made it: the tool's name and its arguments as JSON text.
public struct AgentToolCall: Sendable, Equatable, Codable {
    public let name: String
    public let arguments: String

    public init(name: String, arguments: String) {
        self.name = name
        self.arguments = arguments
    }
}
