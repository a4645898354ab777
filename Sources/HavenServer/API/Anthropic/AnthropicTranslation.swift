import Foundation
import HavenInference

/// Anthropic's Messages API in OpenAI's terms, so that it runs through ``ChatPlan`` and the
/// engine like every chat, and the answer back in Anthropic's terms. Pure.
///
/// `system` becomes the first system message; a user turn's `tool_result` blocks become `tool`
/// turns (before the turn's text, as Anthropic orders them); an assistant turn's `tool_use`
/// blocks become its tool calls; `tools` and `tool_choice` map one to one (`any` is
/// `required`); `output_config.format` becomes a JSON schema `response_format`. Stop sequences
/// are left to ``StopSequenceScanner`` so the answer can name the one that ended it.
enum AnthropicTranslation {
    /// The OpenAI chat body for `request`. `requireMaxTokens` is false for `count_tokens`.
    static func openAIBody(_ request: AnthropicMessagesRequest, requireMaxTokens: Bool) throws(InferenceError) -> JSONValue {
        var fields: [(String, JSONValue)] = [("model", .string(request.model))]
        if requireMaxTokens {
            guard let maxTokens = request.maxTokens else {
                throw .invalidParameter("max_tokens: field required (the most tokens the answer may have)")
            }
            guard maxTokens >= 1 else { throw .invalidParameter("max_tokens: must be at least 1") }
            fields.append(("max_tokens", .number(Double(maxTokens))))
        }
        if let value = request.temperature {
            guard (0...1).contains(value) else { throw .invalidParameter("temperature: must be from 0 to 1") }
            fields.append(("temperature", .number(value)))
        }
        if let value = request.topP {
            guard value > 0, value <= 1 else { throw .invalidParameter("top_p: must be greater than 0 and at most 1") }
            fields.append(("top_p", .number(value)))
        }
        if let value = request.topK {
            guard value >= 0 else { throw .invalidParameter("top_k: must not be negative") }
            fields.append(("top_k", .number(Double(value))))
        }
        if request.stopSequences?.contains("") == true {
            throw .invalidParameter("stop_sequences: a stop sequence must not be empty")
        }
        if let thinking = request.thinking, thinking.type != "disabled" {
            throw .invalidParameter("thinking: extended thinking is not supported by the models Haven runs")
        }
        fields.append(("messages", .array(try messages(request))))
        let tools = try Self.tools(request.tools ?? [])
        if !tools.isEmpty { fields.append(("tools", .array(tools))) }
        if let choice = try toolChoice(request.toolChoice, hasTools: !tools.isEmpty) {
            fields.append(("tool_choice", choice))
        }
        if let format = request.outputConfig?.format {
            guard format.type == "json_schema", let schema = format.schema else {
                throw .invalidParameter("output_config.format: give {\"type\": \"json_schema\", \"schema\": …}")
            }
            fields.append((
                "response_format",
                object([("type", .string("json_schema")), ("json_schema", object([("name", .string("output")), ("schema", schema)]))])
            ))
        }
        return object(fields)
    }

    static func messages(_ request: AnthropicMessagesRequest) throws(InferenceError) -> [JSONValue] {
        guard !request.messages.isEmpty else { throw .invalidParameter("messages: at least one message is required") }
        var out: [JSONValue] = []
        if let system = request.system, !system.isEmpty {
            out.append(object([("role", .string("system")), ("content", .string(system.map(\.text).joined(separator: "\n")))]))
        }
        for (index, message) in request.messages.enumerated() {
            guard message.role == "user" || message.role == "assistant" else {
                throw .invalidParameter("messages[\(index)].role: must be 'user' or 'assistant', not '\(message.role)'")
            }
            var texts: [String] = []
            var calls: [JSONValue] = []
            for (number, block) in message.content.enumerated() {
                switch block {
                case .text(let text):
                    texts.append(text)
                case .thinking:
                    continue
                case .unsupported(let kind):
                    throw .invalidParameter(
                        "messages[\(index)].content[\(number)]: '\(kind)' blocks are not supported; the models Haven runs read text only")
                case .toolUse(let id, let name, let input):
                    guard message.role == "assistant" else {
                        throw .invalidParameter("messages[\(index)].content[\(number)]: tool_use blocks belong in assistant turns")
                    }
                    guard case .object = input else {
                        throw .invalidParameter("messages[\(index)].content[\(number)].input: must be an object")
                    }
                    calls.append(object([
                        ("id", .string(id)), ("type", .string("function")),
                        ("function", object([("name", .string(name)), ("arguments", .string(jsonText(input)))])),
                    ]))
                case .toolResult(let id, let content, let isError):
                    guard message.role == "user" else {
                        throw .invalidParameter("messages[\(index)].content[\(number)]: tool_result blocks belong in user turns")
                    }
                    out.append(object([
                        ("role", .string("tool")), ("tool_call_id", .string(id)),
                        ("content", .string(isError ? "Error: " + content : content)),
                    ]))
                }
            }
            let text = texts.joined(separator: "\n")
            if !calls.isEmpty {
                out.append(object([
                    ("role", .string("assistant")), ("content", text.isEmpty ? .null : .string(text)), ("tool_calls", .array(calls)),
                ]))
            } else if !text.isEmpty || !message.content.contains(where: Self.isToolResult) {
                out.append(object([("role", .string(message.role)), ("content", .string(text))]))
            }
        }
        return out
    }

    private static func isToolResult(_ block: AnthropicMessagesRequest.ContentBlock) -> Bool {
        if case .toolResult = block { true } else { false }
    }

    static func tools(_ tools: [AnthropicMessagesRequest.Tool]) throws(InferenceError) -> [JSONValue] {
        try tools.enumerated().map { index, tool throws(InferenceError) -> JSONValue in
            if let type = tool.type, type != "custom" {
                throw .invalidParameter("tools[\(index)]: Anthropic's server tool '\(type)' is not available; define the tool with name, description and input_schema")
            }
            var function: [(String, JSONValue)] = [("name", .string(tool.name))]
            if let description = tool.description { function.append(("description", .string(description))) }
            function.append(("parameters", tool.inputSchema ?? object([("type", .string("object"))])))
            return object([("type", .string("function")), ("function", object(function))])
        }
    }

    /// `auto` → `auto`, `any` → `required`, `tool` → that function, `none` → `none`; without
    /// tools, `auto` and `none` mean nothing and are left out.
    static func toolChoice(_ choice: AnthropicMessagesRequest.ToolChoice?, hasTools: Bool) throws(InferenceError) -> JSONValue? {
        guard let choice else { return nil }
        switch choice.type {
        case "auto": return hasTools ? .string("auto") : nil
        case "none": return hasTools ? .string("none") : nil
        case "any":
            guard hasTools else { throw .invalidParameter("tool_choice: 'any' needs tools") }
            return .string("required")
        case "tool":
            guard let name = choice.name, !name.isEmpty else { throw .invalidParameter("tool_choice: type 'tool' needs a name") }
            return object([("type", .string("function")), ("function", object([("name", .string(name))]))])
        default:
            throw .invalidParameter("tool_choice.type: must be auto, any, tool or none, not '\(choice.type)'")
        }
    }

    /// Why the answer ended, in Anthropic's words.
    static func stopReason(_ reason: FinishReason?, stopSequence: String?, madeCalls: Bool) -> String {
        if madeCalls { return "tool_use" }
        if stopSequence != nil { return "stop_sequence" }
        return reason == .length ? "max_tokens" : "end_turn"
    }

    /// The answer's content blocks from the model's output: text, or with tools on offer, the
    /// text before the calls and the calls (their arguments as objects).
    static func content(from output: String, plan: ChatPlan) -> [AnthropicMessage.ContentBlock] {
        guard !plan.tools.isEmpty else { return [.text(output)] }
        let (message, _) = plan.answer(from: output)
        let calls: [AnthropicMessage.ContentBlock] = (message.toolCalls ?? []).compactMap { call in
            guard let input = try? JSONDecoder().decode(JSONValue.self, from: Data(call.function.arguments.utf8)),
                case .object = input
            else { return nil }
            return .toolUse(id: toolUseID(), name: call.function.name, input: input)
        }
        guard !calls.isEmpty else { return [.text(message.content ?? output)] }
        let text = message.content ?? ""
        return (text.isEmpty ? [] : [.text(text)]) + calls
    }

    /// The answer's content blocks from text and the calls a backend read: the text (when
    /// there is any, or nothing else), then each call whose arguments are an object.
    static func content(text: String, calls: [ChatAnswer.Call]) -> [AnthropicMessage.ContentBlock] {
        let uses: [AnthropicMessage.ContentBlock] = calls.compactMap { call in
            guard let input = try? JSONDecoder().decode(JSONValue.self, from: Data(call.arguments.utf8)), case .object = input
            else { return nil }
            return .toolUse(id: toolUseID(), name: call.name, input: input)
        }
        guard !uses.isEmpty else { return [.text(text)] }
        return (text.isEmpty ? [] : [.text(text)]) + uses
    }

    static func toolUseID() -> String {
        "toolu_" + (0..<24).map { _ in String(Int.random(in: 0..<36), radix: 36) }.joined()
    }

    static func messageID() -> String {
        "msg_" + (0..<24).map { _ in String(Int.random(in: 0..<36), radix: 36) }.joined()
    }

    static func object(_ fields: [(String, JSONValue)]) -> JSONValue {
        .object(Dictionary(fields, uniquingKeysWith: { $1 }), order: fields.map(\.0))
    }

    static func jsonText(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }
}
