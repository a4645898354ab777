import HavenInference

/// How one chat request is put to the model: the conversation as template messages (tool
/// calls and results written in ``ToolCallFormat``), the tools on offer, and the grammar.
struct ChatPlan {
    var messages: [(role: String, content: String)] = []
    /// Tools the model may call; empty when none are offered (or `tool_choice` is `none`).
    var tools: [ToolCallFormat.Tool] = []
    var grammar: String?
    var grammarTriggers: [String] = []

    init(_ request: ChatCompletionRequest) throws {
        let declared = request.tools ?? []
        var names = Set<String>()
        for tool in declared {
            guard tool.type == "function" else {
                throw InferenceError.invalidParameter("tool type '\(tool.type)' is not supported; use 'function'")
            }
            guard !tool.function.name.isEmpty, names.insert(tool.function.name).inserted else {
                throw InferenceError.invalidParameter("tool names must be present and unique ('\(tool.function.name)')")
            }
        }
        let offered = declared.map {
            ToolCallFormat.Tool(name: $0.function.name, description: $0.function.description, parameters: $0.function.parameters)
        }
        switch request.toolChoice ?? (declared.isEmpty ? .none : .auto) {
        case .none:
            tools = []
        case .auto, .required:
            guard !offered.isEmpty else { throw InferenceError.invalidParameter("tool_choice needs tools") }
            tools = offered
        case .function(let name):
            guard let tool = offered.first(where: { $0.name == name }) else {
                throw InferenceError.invalidParameter("tool_choice names '\(name)', which is not among the tools")
            }
            tools = [tool]
        }
        let required = request.toolChoice == .required || { if case .function = request.toolChoice { true } else { false } }()

        for message in request.messages {
            let text = message.content?.text ?? ""
            switch message.role {
            case "tool":
                messages.append(("user", ToolCallFormat.renderResult(text)))
            case "assistant" where !(message.toolCalls ?? []).isEmpty:
                let calls = message.toolCalls!.map {
                    ToolCallFormat.render(.init(name: $0.function.name, arguments: $0.function.arguments))
                }
                messages.append(("assistant", ([text].filter { !$0.isEmpty } + calls).joined(separator: "\n")))
            default:
                messages.append((message.role, text))
            }
        }
        if !tools.isEmpty {
            let offer = ToolCallFormat.systemPrompt(for: tools, required: required)
            if let first = messages.first, first.role == "system" || first.role == "developer" {
                messages[0].content = first.content + "\n\n" + offer
            } else {
                messages.insert(("system", offer), at: 0)
            }
            if request.responseFormat.map({ $0.type != "text" }) == true {
                throw InferenceError.invalidParameter("use either tools or a JSON response_format, not both")
            }
            grammar = try ToolCallFormat.grammar(for: tools)
            grammarTriggers = required ? [] : [ToolCallFormat.triggerPattern]
        } else {
            grammar = try InferenceService.grammar(for: request.responseFormat)
        }
    }

    /// The assistant's answer: calls when the model made any, text otherwise.
    func answer(from output: String) -> (message: ChatMessage, finishReason: String?) {
        guard !tools.isEmpty else { return (ChatMessage(role: "assistant", content: output), nil) }
        let (content, calls) = ToolCallFormat.parse(output)
        guard !calls.isEmpty else { return (ChatMessage(role: "assistant", content: output), nil) }
        let toolCalls = calls.map {
            ToolCall(id: InferenceService.completionID(prefix: "call"), function: .init(name: $0.name, arguments: $0.arguments))
        }
        return (ChatMessage(role: "assistant", content: content.isEmpty ? nil : content, toolCalls: toolCalls), "tool_calls")
    }
}
