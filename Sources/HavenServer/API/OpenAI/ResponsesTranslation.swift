import HavenAgents
import HavenInference

/// The Responses API in terms of the chat path: input items become conversation messages
/// (what Haven stores), a conversation becomes a ``ChatCompletionRequest`` (what ``ChatPlan``
/// runs), and an answer becomes output items. Pure: no server, no model.
enum ResponsesTranslation {
    /// The messages `input` adds to a conversation. A call's output is stored with its tool's
    /// name, found among the input's own calls or `knownCalls` (call id → name, from the
    /// response it continues).
    static func messages(from input: ResponsesInput?, knownCalls: [String: String] = [:]) throws -> [AgentMessage] {
        switch input {
        case nil:
            throw InferenceError.invalidParameter("input must be text or a list of items")
        case .text(let text):
            return [AgentMessage(role: .user, content: text)]
        case .items(let items):
            guard !items.isEmpty else { throw InferenceError.invalidParameter("input must not be an empty list") }
            var calls = knownCalls
            var messages: [AgentMessage] = []
            for item in items {
                switch item {
                case .message(let role, let text):
                    messages.append(AgentMessage(role: try Self.role(role), content: text))
                case .functionCall(let callID, let name, let arguments):
                    calls[callID] = name
                    let call = AgentToolCall(name: name, arguments: arguments)
                    // Calls made together are one assistant turn, with any text it began with.
                    if let last = messages.last, last.role == .assistant {
                        messages[messages.count - 1] = AgentMessage(
                            role: .assistant, content: last.content, toolCalls: last.toolCalls + [call])
                    } else {
                        messages.append(AgentMessage(role: .assistant, content: "", toolCalls: [call]))
                    }
                case .functionCallOutput(let callID, let output):
                    messages.append(AgentMessage(role: .tool, content: output, toolName: calls[callID]))
                }
            }
            return messages
        }
    }

    private static func role(_ role: String) throws -> AgentMessage.Role {
        switch role {
        case "user": .user
        case "assistant": .assistant
        case "system", "developer": .system
        default: throw InferenceError.invalidParameter("unknown message role '\(role)'; use user, assistant, system or developer")
        }
    }

    /// The chat request that answers `request` after `conversation` (earlier turns and this
    /// request's input): `instructions` first as a system message, function tools, the JSON
    /// schema of `text.format`, and the sampling and length settings.
    static func chatRequest(_ request: ResponsesRequest, conversation: [AgentMessage]) throws -> ChatCompletionRequest {
        try ChatCompletionRequest.translated(from: chatBody(request, conversation: conversation))
    }

    /// The chat `request` amounts to, as an OpenAI chat body (what any backend is put). Pure.
    static func chatBody(_ request: ResponsesRequest, conversation: [AgentMessage]) throws -> JSONValue {
        func object(_ fields: [(String, JSONValue)]) -> JSONValue {
            .object(Dictionary(fields, uniquingKeysWith: { $1 }), order: fields.map(\.0))
        }
        if request.topLogprobs != nil {
            throw InferenceError.invalidParameter(
                "top_logprobs is not supported on /v1/responses; /v1/chat/completions answers logprobs")
        }
        var messages: [JSONValue] = []
        if let instructions = request.instructions, !instructions.isEmpty {
            messages.append(object([("role", .string("system")), ("content", .string(instructions))]))
        }
        for message in conversation {
            switch message.role {
            case .assistant where !message.toolCalls.isEmpty:
                let calls = message.toolCalls.enumerated().map { index, call in
                    object([
                        ("id", .string("call_\(index)")), ("type", .string("function")),
                        ("function", object([("name", .string(call.name)), ("arguments", .string(call.arguments))])),
                    ])
                }
                var fields: [(String, JSONValue)] = [("role", .string("assistant"))]
                fields.append(("content", message.content.isEmpty ? .null : .string(message.content)))
                fields.append(("tool_calls", .array(calls)))
                messages.append(object(fields))
            default:
                messages.append(object([("role", .string(message.role.rawValue)), ("content", .string(message.content))]))
            }
        }
        var fields: [(String, JSONValue)] = [("model", .string(request.model)), ("messages", .array(messages))]
        let tools = try (request.tools ?? []).map { tool throws -> JSONValue in
            guard tool.type == "function" else {
                throw InferenceError.invalidParameter("tool type '\(tool.type)' is not supported; Haven runs function tools")
            }
            guard let name = tool.name, !name.isEmpty else {
                throw InferenceError.invalidParameter("a function tool needs a name")
            }
            var function: [(String, JSONValue)] = [("name", .string(name))]
            if let description = tool.description { function.append(("description", .string(description))) }
            if let parameters = tool.parameters { function.append(("parameters", parameters)) }
            return object([("type", .string("function")), ("function", object(function))])
        }
        if !tools.isEmpty { fields.append(("tools", .array(tools))) }
        switch request.toolChoice?.choice {
        case nil: break
        case .none?: fields.append(("tool_choice", .string("none")))
        case .auto?: fields.append(("tool_choice", .string("auto")))
        case .required?: fields.append(("tool_choice", .string("required")))
        case .function(let name)?:
            fields.append(("tool_choice", object([("type", .string("function")), ("function", object([("name", .string(name))]))])))
        }
        if let format = request.text?.format {
            var formatFields: [(String, JSONValue)] = [("type", .string(format.type))]
            if format.type == "json_schema" {
                var schema: [(String, JSONValue)] = []
                if let name = format.name { schema.append(("name", .string(name))) }
                if let value = format.schema { schema.append(("schema", value)) }
                formatFields.append(("json_schema", object(schema)))
            }
            fields.append(("response_format", object(formatFields)))
        }
        if let value = request.maxOutputTokens { fields.append(("max_completion_tokens", .number(Double(value)))) }
        if let value = request.temperature { fields.append(("temperature", .number(value))) }
        if let value = request.topP { fields.append(("top_p", .number(value))) }
        return object(fields)
    }

    /// The assistant's turn as stored: the text before any calls, and the calls.
    static func answer(_ output: String, plan: ChatPlan) -> AgentMessage {
        let (message, _) = plan.answer(from: output)
        return AgentMessage(
            role: .assistant, content: message.content ?? "",
            toolCalls: (message.toolCalls ?? []).map { AgentToolCall(name: $0.function.name, arguments: $0.function.arguments) })
    }

    /// The output items of the answer of response `id`: its text as a message (when there is
    /// any), then each call.
    static func output(of answer: AgentMessage, id: ResponseID, status: String = "completed") -> [ResponseOutputItem] {
        var items: [ResponseOutputItem] = []
        if !answer.content.isEmpty || answer.toolCalls.isEmpty {
            items.append(.message(id: id.messageItemID, status: status, text: answer.content))
        }
        for (index, call) in answer.toolCalls.enumerated() {
            items.append(
                .functionCall(
                    id: id.callItemID(index), callID: id.callID(index), name: call.name, arguments: call.arguments,
                    status: status))
        }
        return items
    }

    /// The calls of response `id`'s answer by call id, so their outputs can be matched.
    static func calls(of answer: AgentMessage, id: ResponseID) -> [String: String] {
        Dictionary(uniqueKeysWithValues: answer.toolCalls.enumerated().map { (id.callID($0), $1.name) })
    }
}
