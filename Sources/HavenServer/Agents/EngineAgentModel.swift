import HavenAgents
import HavenInference

/// An agent's model on the inference engine (or, for a model only an upstream serves, on
/// that upstream through ``UpstreamAgentTurn``): the conversation rendered with the model's chat
/// template, tool calls and results written in ``ToolCallFormat``, and, when tools are on
/// offer, a lazy grammar so that once the model starts a call it can only write a valid one.
struct EngineAgentModel: AgentModel {
    let service: InferenceService
    /// The principal the agent works for: it needs `infer` on the model, like any client.
    let caller: Authentication
    let model: String
    /// Longest single reply.
    static let maxTokens = 512

    func reply(to messages: [AgentMessage], tools: [ToolDefinition], requireTool: Bool) async throws -> AgentReply {
        if let upstream = try service.upstream(for: model, caller: caller) {
            let body = UpstreamAgentTurn.body(
                model: model, messages: messages, tools: tools, requireTool: requireTool, maxTokens: Self.maxTokens)
            return UpstreamAgentTurn.reply(try await ChatAnswer.collect(upstream.chat(body)))
        }
        let engine = try await service.engine(for: model, caller: caller)
        var rendered: [(role: String, content: String)] = messages.map { message in
            switch message.role {
            case .tool:
                return ("user", ToolCallFormat.renderResult(message.content))
            case .assistant where !message.toolCalls.isEmpty:
                let calls = message.toolCalls.map { ToolCallFormat.render(.init(name: $0.name, arguments: $0.arguments)) }
                return ("assistant", ([message.content].filter { !$0.isEmpty } + calls).joined(separator: "\n"))
            default:
                return (message.role.rawValue, message.content)
            }
        }
        var sampling = SamplingParameters()
        sampling.temperature = 0.2
        sampling.seed = 42
        let offered = tools.map { ToolCallFormat.Tool(name: $0.name, description: $0.description, parameters: $0.parameters) }
        if !offered.isEmpty {
            let offer = ToolCallFormat.systemPrompt(for: offered, required: requireTool)
            if let first = rendered.first, first.role == "system" {
                rendered[0].content = first.content + "\n\n" + offer
            } else {
                rendered.insert(("system", offer), at: 0)
            }
            sampling.grammar = try ToolCallFormat.grammar(for: offered)
            sampling.grammarTriggers = requireTool ? [] : [ToolCallFormat.triggerPattern]
        }
        let prompt = try service.chatPrompt(rendered, engine: engine)
        let events = try await engine.generate(GenerationRequest(prompt: prompt, sampling: sampling, maxTokens: Self.maxTokens))
        let (text, _) = try await events.collect()
        guard !offered.isEmpty else { return AgentReply(text: text) }
        let (content, calls) = ToolCallFormat.parse(text)
        return AgentReply(text: content, toolCalls: calls.map { AgentToolCall(name: $0.name, arguments: $0.arguments) })
    }
}
