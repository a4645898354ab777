import HavenAgents
import HavenInference

/// An agent's model, on whatever backend runs it (``InferenceBackend``): the conversation put
/// as a chat (``AgentChatBody``), so that a local engine renders it with the model's chat template,
/// tool calls and results in ``ToolCallFormat`` and, when tools are on offer, a lazy grammar so
/// that once the model starts a call it can only write a valid one, and an upstream with its own.
struct EngineAgentModel: AgentModel {
    let service: InferenceService
    /// The principal the agent works for: it needs `infer` on the model, like any client.
    let caller: Authentication
    let model: String
    /// The agent's name, for the audit log.
    var agent: String?
    /// Longest single reply.
    static let maxTokens = 512

    func reply(to messages: [AgentMessage], tools: [ToolDefinition], requireTool: Bool) async throws -> AgentReply {
        let backend = try service.backend(for: model, caller: caller, agent: agent)
        let body = AgentChatBody.body(model: model, messages: messages, tools: tools, requireTool: requireTool, maxTokens: Self.maxTokens)
        return AgentChatBody.reply(try await backend.answer(ChatCall(json: body)))
    }
}
