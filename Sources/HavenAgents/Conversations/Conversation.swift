import Foundation

/// A conversation with an agent: whose it is, with which agent, and its messages (user,
/// assistant, tool calls and results), continued by id.
public struct Conversation: Sendable, Equatable, Codable {
    public let id: String
    public let principal: String
    public let agent: String
    /// The first words of the first question.
    public let title: String
    public let createdAt: Date
    public let updatedAt: Date
    /// Present when one conversation is shown; absent in listings.
    public let messages: [AgentMessage]?

    public init(
        id: String, principal: String, agent: String, title: String, createdAt: Date, updatedAt: Date,
        messages: [AgentMessage]?
    ) {
        self.id = id
        self.principal = principal
        self.agent = agent
        self.title = title
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.messages = messages
    }

    enum CodingKeys: String, CodingKey {
        case id, principal, agent, title, messages
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}
