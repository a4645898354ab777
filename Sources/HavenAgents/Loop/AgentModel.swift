/// The model behind an agent: given the conversation so far and the tools on offer, it answers
/// with text or with tool calls. The server's implementation runs the inference engine with a
/// tool-call grammar; tests use a scripted one.
public protocol AgentModel: Sendable {
    /// With `requireTool`, the reply must be tool calls (the engine holds the model to it).
    func reply(to messages: [AgentMessage], tools: [ToolDefinition], requireTool: Bool) async throws -> AgentReply
}

/// What the model said in one turn.
public struct AgentReply: Sendable, Equatable {
    public let text: String
    public let toolCalls: [AgentToolCall]

    public init(text: String, toolCalls: [AgentToolCall] = []) {
        self.text = text
        self.toolCalls = toolCalls
    }
}
