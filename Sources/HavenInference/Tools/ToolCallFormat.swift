import Foundation

/// How tools are offered to a model and how its calls are written and read back.
///
/// The model is told about the tools in a system message and calls one by writing
/// `<tool_call>{"name": …, "arguments": {…}}</tool_call>`. A grammar makes sure a call, once
/// started, names a real tool with arguments valid against its schema: always (`required`, or
/// a named tool), or lazily from the moment the model writes `<tool_call>` (`auto`).
public enum ToolCallFormat {
    /// A function the model may call.
    public struct Tool: Sendable {
        public let name: String
        public let description: String?
        public let parameters: JSONValue?
        public init(name: String, description: String?, parameters: JSONValue?) {
            self.name = name
            self.description = description
            self.parameters = parameters
        }
    }

    /// A call the model made: the tool's name and its arguments as compact JSON text.
    public struct Call: Sendable, Equatable {
        public let name: String
        public let arguments: String
        public init(name: String, arguments: String) {
            self.name = name
            self.arguments = arguments
        }
    }

    static let open = "<tool_call>"
    static let close = "</tool_call>"

    /// The lazy grammar's trigger: constrained output starts at the first `<tool_call>`.
    public static let triggerPattern = #"[\s\S]*?(<tool_call>)[\s\S]*"#

    /// The system text that offers the tools.
    public static func systemPrompt(for tools: [Tool], required: Bool) -> String {
        let listing = tools.map { tool in
            var object: [String: JSONValue] = ["name": .string(tool.name)]
            if let description = tool.description { object["description"] = .string(description) }
            object["parameters"] = tool.parameters ?? .object([:], order: [])
            return JSONSchemaGrammar.jsonText(.object(object, order: ["name", "description", "parameters"].filter { object[$0] != nil }))
        }.joined(separator: "\n")
        return """
            You can call these tools:
            \(listing)
            \(required ? "Answer with a tool call." : "To call a tool, answer with a tool call and nothing else; otherwise answer normally.") \
            A tool call looks like this:
            \(open)
            {"name": "<tool name>", "arguments": {<the arguments as JSON>}}
            \(close)
            """
    }

    /// How an earlier call appears in the conversation.
    public static func render(_ call: Call) -> String {
        "\(open)\n{\"name\": \(JSONSchemaGrammar.jsonText(.string(call.name))), \"arguments\": \(call.arguments)}\n\(close)"
    }

    /// How a tool's result is given back to the model.
    public static func renderResult(_ content: String) -> String {
        "<tool_response>\n\(content)\n</tool_response>"
    }

    /// The grammar for calls to `tools`.
    public static func grammar(for tools: [Tool]) throws(InferenceError) -> String {
        try JSONSchemaGrammar.toolCalls(tools.map { ($0.name, $0.parameters) })
    }

    /// Splits model output into text and calls. The content is the text before the first call
    /// (trimmed); a block that does not parse is text rather than invented into a call, and text
    /// after the first call is dropped. Arguments are the model's own JSON text with the
    /// whitespace between tokens removed, so they read the same as ``ToolCallStream`` streams them.
    public static func parse(_ output: String) -> (content: String, calls: [Call]) {
        var calls: [Call] = []
        var before = ""
        var rest = Substring(output)
        while let start = rest.range(of: open), let end = rest[start.upperBound...].range(of: close) {
            let call = Self.call(from: Array(rest[start.upperBound..<end.lowerBound].utf8))
            if calls.isEmpty { before += call == nil ? rest[..<end.upperBound] : rest[..<start.lowerBound] }
            if let call { calls.append(call) }
            rest = rest[end.upperBound...]
        }
        if calls.isEmpty { return (output, []) }
        return (before.trimmingCharacters(in: .whitespacesAndNewlines), calls)
    }

    /// The call a block's body (between the tags) holds: a JSON object with a string `name` and
    /// an object `arguments` (absent means `{}`); `nil` when it is anything else.
    static func call(from body: [UInt8]) -> Call? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body)),
            let name = value["name"]?.stringValue
        else { return nil }
        let arguments = value["arguments"] ?? .object([:], order: [])
        guard case .object = arguments else { return nil }
        guard let raw = JSONText.member("arguments", of: body) else { return Call(name: name, arguments: "{}") }
        return Call(name: name, arguments: String(decoding: JSONText.minified(raw), as: UTF8.self))
    }
}
