import Foundation
import HavenInference

/// Ollama's `/api/chat` in OpenAI's terms, so that it runs through ``ChatPlan`` like every
/// chat: messages (tool calls with object arguments become OpenAI's JSON text, tool results
/// stay `tool` turns), `tools` as they are (Ollama took OpenAI's shape), and `format` as a
/// `response_format`. Pure; sampling options are applied by the caller.
enum OllamaChatTranslation {
    /// The OpenAI chat body for `request`, with `system` (the model's own system prompt) first
    /// unless the conversation brings its own.
    static func openAIBody(_ request: OllamaChatRequest, system: String?) throws(InferenceError) -> JSONValue {
        var messages: [JSONValue] = []
        for (index, message) in (request.messages ?? []).enumerated() {
            if let images = message.images, !images.isEmpty {
                throw .invalidParameter("messages[\(index)] has images; the models Haven runs read text only")
            }
            var fields: [(String, JSONValue)] = [("role", .string(message.role)), ("content", .string(message.content ?? ""))]
            if let calls = message.toolCalls, !calls.isEmpty {
                let openAICalls = try calls.enumerated().map { number, call throws(InferenceError) -> JSONValue in
                    guard case .object = call.function.arguments else {
                        throw .invalidParameter("messages[\(index)].tool_calls[\(number)].function.arguments must be an object")
                    }
                    return object([
                        ("id", .string("call_\(index)_\(number)")), ("type", .string("function")),
                        ("function", object([("name", .string(call.function.name)), ("arguments", .string(text(call.function.arguments)))])),
                    ])
                }
                fields.append(("tool_calls", .array(openAICalls)))
            }
            messages.append(object(fields))
        }
        if let system, !messages.contains(where: ModelProfile.isSystem) {
            messages.insert(object([("role", .string("system")), ("content", .string(system))]), at: 0)
        }
        var fields: [(String, JSONValue)] = [("model", .string(request.model)), ("messages", .array(messages))]
        if let tools = request.tools, !tools.isEmpty {
            fields.append(("tools", .array(tools)))
        }
        if let format = try responseFormat(request.format) {
            fields.append(("response_format", format))
        }
        return object(fields)
    }

    /// Ollama's `format` as OpenAI's `response_format`: `"json"` for any object, a schema for
    /// that schema; `nil` for free text.
    static func responseFormat(_ format: JSONValue?) throws(InferenceError) -> JSONValue? {
        switch format {
        case nil, .null?, .string("")?:
            return nil
        case .string("json")?:
            return object([("type", .string("json_object"))])
        case .object?:
            return object([
                ("type", .string("json_schema")),
                ("json_schema", object([("name", .string("format")), ("schema", format!)])),
            ])
        default:
            throw .invalidParameter("format must be \"json\" or a JSON schema")
        }
    }

    /// An answer's calls in Ollama's shape: arguments as objects (a call whose arguments are not
    /// an object, as when the output was cut off, is left out).
    static func toolCalls(_ calls: [(name: String, arguments: String)]) -> [OllamaToolCall] {
        calls.compactMap { call in
            guard let arguments = try? JSONDecoder().decode(JSONValue.self, from: Data(call.arguments.utf8)),
                case .object = arguments
            else { return nil }
            return OllamaToolCall(function: .init(name: call.name, arguments: arguments))
        }
    }

    static func object(_ fields: [(String, JSONValue)]) -> JSONValue {
        .object(Dictionary(fields, uniquingKeysWith: { $1 }), order: fields.map(\.0))
    }

    /// Compact JSON text of `value`.
    static func text(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }
}
