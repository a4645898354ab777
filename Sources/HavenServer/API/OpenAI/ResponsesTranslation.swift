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
        if request.topLogprobs != nil {
            throw InferenceError.invalidParameter(
                "top_logprobs is not supported on /v1/responses; /v1/chat/completions answers logprobs")
        }
        var messages: [ChatCompletionRequest.Message] = []
        if let instructions = request.instructions, !instructions.isEmpty {
            messages.append(.init(role: "system", content: MessageContent(text: instructions), toolCalls: nil, toolCallID: nil))
        }
        for message in conversation {
            switch message.role {
            case .assistant where !message.toolCalls.isEmpty:
                let calls = message.toolCalls.enumerated().map { index, call in
                    ToolCall(id: "call_\(index)", function: .init(name: call.name, arguments: call.arguments))
                }
                messages.append(
                    .init(
                        role: "assistant", content: message.content.isEmpty ? nil : MessageContent(text: message.content),
                        toolCalls: calls, toolCallID: nil))
            default:
                messages.append(
                    .init(role: message.role.rawValue, content: MessageContent(text: message.content), toolCalls: nil, toolCallID: nil))
            }
        }
        let tools = try (request.tools ?? []).map { tool throws -> ChatCompletionRequest.Tool in
            guard tool.type == "function" else {
                throw InferenceError.invalidParameter("tool type '\(tool.type)' is not supported; Haven runs function tools")
            }
            guard let name = tool.name, !name.isEmpty else {
                throw InferenceError.invalidParameter("a function tool needs a name")
            }
            return .init(type: "function", function: .init(name: name, description: tool.description, parameters: tool.parameters))
        }
        let format = request.text?.format.map { format in
            ChatCompletionRequest.ResponseFormat(
                type: format.type,
                jsonSchema: format.type == "json_schema" ? .init(name: format.name, schema: format.schema) : nil)
        }
        return ChatCompletionRequest(
            model: request.model, messages: messages, stream: nil, streamOptions: nil, maxTokens: nil,
            maxCompletionTokens: request.maxOutputTokens, temperature: request.temperature, topP: request.topP, topK: nil,
            minP: nil, seed: nil, stop: nil, presencePenalty: nil, frequencyPenalty: nil, repeatPenalty: nil, n: nil,
            tools: tools.isEmpty ? nil : tools, toolChoice: request.toolChoice?.choice, responseFormat: format)
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
