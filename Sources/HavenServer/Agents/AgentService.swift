import Foundation
import HavenAgents
import HavenInference

/// Runs an agent for a caller: finds the agent and its model, continues or starts the
/// caller's conversation, runs the tool loop with the caller's rights, and saves the turn.
struct AgentService: Sendable {
    let environment: ServerEnvironment
    /// Replaces the engine-backed model, for tests.
    var model: (@Sendable (AgentDefinition, Authentication) throws -> any AgentModel)?

    /// Runs one turn; `history` is used only when no conversation id is given (OpenAI
    /// clients send the whole conversation each time).
    func run(
        agent name: String, input: String, conversation id: String?, history: [AgentMessage] = [],
        caller: Authentication, inferringAs: Authentication? = nil, onEvent: @Sendable (AgentEvent) async -> Void = { _ in }
    ) async throws -> AgentTurn {
        let agent = try environment.agents.agent(named: name)
        let catalog = environment.catalog
        let principal = caller.principal.description
        let now = Date()
        var conversation: Conversation
        var earlier = history
        if let id {
            conversation = try catalog.conversation(id, of: principal)
            guard conversation.agent == agent.name else {
                throw APIError(
                    .badRequest, code: "invalid_request",
                    message: "conversation \(id) is with \(conversation.agent.map { "agent \($0)" } ?? "model \(conversation.model ?? "?")"), not agent \(agent.name)")
            }
            earlier = (conversation.messages ?? []).filter { $0.role != .system }
        } else {
            conversation = try catalog.createConversation(principal: principal, agent: agent.name, title: input, at: now)
        }
        let runner = AgentRunner(agent: agent, model: try model(for: agent, caller: inferringAs ?? caller), toolBox: environment.toolBox)
        let recorder = TraceRecorder()
        let added = try await runner.run(
            input, history: earlier,
            for: ToolCaller(principal: caller.principal, capability: caller.capability), onEvent: { event in
                await recorder.add(event)
                await onEvent(event)
            })
        try catalog.append([AgentMessage(role: .user, content: input)] + added, to: conversation.id, at: Date())
        return AgentTurn(
            conversationID: conversation.id, answer: added.last?.content ?? "", trace: await recorder.entries)
    }

    private func model(for agent: AgentDefinition, caller: Authentication) throws -> any AgentModel {
        if let model { return try model(agent, caller) }
        let name: String
        if let configured = agent.model {
            name = configured
        } else if let first = try environment.catalog.models().first {
            name = first.name
        } else {
            throw APIError(.serviceUnavailable, code: "no_model", message: "no model is installed; add one with 'haven model add FILE'")
        }
        return EngineAgentModel(service: environment.inference, caller: caller, model: name, agent: agent.name)
    }
}

/// Collects an agent's events in order while it runs.
actor TraceRecorder {
    private(set) var entries: [AgentTraceEntry] = []

    func add(_ event: AgentEvent) {
        entries.append(AgentTraceEntry(event))
    }
}
