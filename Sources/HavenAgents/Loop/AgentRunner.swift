import Foundation
import HavenInference

/// The tool-calling loop: ask the model with the tool schemas; run each tool it calls with the
/// rights of the principal the agent acts for, narrowed to the agent's scopes; feed the
/// results back; stop at a final answer or at the step limit, where the model is asked once
/// more with no tools so it must answer.
public struct AgentRunner: Sendable {
    public let agent: AgentDefinition
    let model: any AgentModel
    let toolBox: any ToolBox

    public init(agent: AgentDefinition, model: any AgentModel, toolBox: any ToolBox) {
        self.agent = agent
        self.model = model
        self.toolBox = toolBox
    }

    /// The tools this agent may use.
    public var tools: [ToolDefinition] {
        toolBox.definitions.filter { agent.tools.contains($0.name) }
    }

    /// Runs one turn of the conversation: `history` (earlier user and assistant messages)
    /// then `input`. Returns the messages the turn added (tool calls, results, the answer),
    /// reporting each as an ``AgentEvent`` as it happens.
    public func run(
        _ input: String, history: [AgentMessage] = [], for caller: ToolCaller,
        onEvent: @Sendable (AgentEvent) async -> Void = { _ in }
    ) async throws -> [AgentMessage] {
        let caller = ToolCaller(
            principal: caller.principal, capability: caller.capability, scopes: agent.scopes, agent: agent.name)
        let offered = tools
        var messages = [AgentMessage(role: .system, content: agent.instructions)] + history
            + [AgentMessage(role: .user, content: input)]
        var added: [AgentMessage] = []
        for step in 1...agent.maxSteps {
            // The last step offers no tools: the model has to answer.
            let last = step == agent.maxSteps
            let reply = try await model.reply(
                to: messages, tools: last ? [] : offered, requireTool: !last && step == 1 && agent.requiresTool)
            guard !reply.toolCalls.isEmpty, step < agent.maxSteps else {
                let answer = AgentMessage(role: .assistant, content: reply.text)
                added.append(answer)
                await onEvent(.answer(reply.text))
                return added
            }
            let request = AgentMessage(role: .assistant, content: reply.text, toolCalls: reply.toolCalls)
            messages.append(request)
            added.append(request)
            for call in reply.toolCalls {
                await onEvent(.toolCall(step: step, name: call.name, arguments: call.arguments))
                let result = try await execute(call, offered: offered, for: caller)
                await onEvent(.toolResult(step: step, name: call.name, text: result.text, isError: result.isError))
                let message = AgentMessage(
                    role: .tool, content: (result.isError ? "Error: " : "") + result.text, toolName: call.name)
                messages.append(message)
                added.append(message)
            }
        }
        preconditionFailure("the last step always answers")
    }

    /// Runs one call; an unknown tool or malformed arguments become an error result the model
    /// sees, so it can correct itself.
    func execute(_ call: AgentToolCall, offered: [ToolDefinition], for caller: ToolCaller) async throws -> ToolResult {
        guard offered.contains(where: { $0.name == call.name }) else {
            return .error("there is no tool '\(call.name)'; tools are \(offered.map(\.name).joined(separator: ", "))")
        }
        let arguments: JSONValue
        do {
            arguments = try JSONDecoder().decode(JSONValue.self, from: Data(call.arguments.utf8))
        } catch {
            return .error("the arguments of \(call.name) are not valid JSON: \(call.arguments.prefix(200))")
        }
        guard case .object = arguments else { return .error("the arguments of \(call.name) must be a JSON object") }
        return try await toolBox.call(call.name, arguments: arguments, for: caller)
    }
}
