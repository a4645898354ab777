import HavenAgents
import HavenInference

/// An agent's turn as an OpenAI chat body, put to the model's ``InferenceBackend`` like any
/// client's chat: tool calls and results as OpenAI's `tool_calls` and `tool` turns (ids paired
/// in order), the tools as functions, and `tool_choice` `required` when the loop needs a call.
/// A local engine writes them in ``ToolCallFormat`` (``ChatPlan``); an upstream's own chat
/// template and tool parser do the same there.
enum AgentChatBody {
    static func body(
        model: String, messages: [AgentMessage], tools: [ToolDefinition], requireTool: Bool, maxTokens: Int
    ) -> JSONValue {
        var turns: [JSONValue] = []
        var pending: [String] = []
        for (index, message) in messages.enumerated() {
            switch message.role {
            case .tool:
                let id = pending.isEmpty ? "call_\(index)" : pending.removeFirst()
                turns.append(object([("role", .string("tool")), ("tool_call_id", .string(id)), ("content", .string(message.content))]))
            case .assistant where !message.toolCalls.isEmpty:
                let ids = message.toolCalls.indices.map { "call_\(index)_\($0)" }
                pending = ids
                let calls = zip(ids, message.toolCalls).map { id, call in
                    object([
                        ("id", .string(id)), ("type", .string("function")),
                        ("function", object([("name", .string(call.name)), ("arguments", .string(call.arguments))])),
                    ])
                }
                turns.append(object([("role", .string("assistant")), ("content", .string(message.content)), ("tool_calls", .array(calls))]))
            default:
                turns.append(object([("role", .string(message.role.rawValue)), ("content", .string(message.content))]))
            }
        }
        var fields: [(String, JSONValue)] = [
            ("model", .string(model)), ("messages", .array(turns)), ("temperature", .number(0.2)), ("seed", .number(42)),
            ("max_tokens", .number(Double(maxTokens))),
        ]
        if !tools.isEmpty {
            fields.append(("tools", .array(tools.map { tool in
                object([
                    ("type", .string("function")),
                    ("function", object([
                        ("name", .string(tool.name)), ("description", .string(tool.description)), ("parameters", tool.parameters),
                    ])),
                ])
            })))
            fields.append(("tool_choice", .string(requireTool ? "required" : "auto")))
        }
        return object(fields)
    }

    /// The reply in an answer: its first choice's text and calls.
    static func reply(_ answer: ChatAnswer) -> AgentReply {
        let choice = answer.choices.first ?? ChatAnswer.Choice()
        return AgentReply(text: choice.content, toolCalls: choice.calls.map { AgentToolCall(name: $0.name, arguments: $0.arguments) })
    }

    private static func object(_ fields: [(String, JSONValue)]) -> JSONValue {
        OllamaChatTranslation.object(fields)
    }
}
