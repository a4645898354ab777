import Foundation

/// A conversation with an agent or a model: whose it is, with whom, and its messages (user,
/// assistant, tool calls and results), continued by id. An agent keeps its conversations
/// itself; a model's are kept by the client that chats with it (the web app).
public struct Conversation: Sendable, Equatable, Codable {
    public let id: String
    public let principal: String
    /// The agent, for a conversation with an agent.
    public let agent: String?
    /// The model, for a conversation with a model directly.
    public let model: String?
    /// The first words of the first question.
    public let title: String
    public let createdAt: Date
    public let updatedAt: Date
    /// Present when one conversation is shown; absent in listings.
    public let messages: [AgentMessage]?

    public init(
        id: String, principal: String, agent: String?, model: String? = nil, title: String, createdAt: Date,
        updatedAt: Date, messages: [AgentMessage]?
    ) {
        self.id = id
        self.principal = principal
        self.agent = agent
        self.model = model
        self.title = title
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.messages = messages
    }

    enum CodingKeys: String, CodingKey {
        case id, principal, agent, model, title, messages
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}
