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

    /// Splits model output into text and calls. Text before the first call is the content; a
    /// block that does not parse is left in the text rather than invented into a call.
    public static func parse(_ output: String) -> (content: String, calls: [Call]) {
        var calls: [Call] = []
        var content = ""
        var rest = Substring(output)
        while let start = rest.range(of: open) {
            guard let end = rest[start.upperBound...].range(of: close) else { break }
            let body = rest[start.upperBound..<end.lowerBound]
            if let call = Self.call(from: body) {
                if calls.isEmpty { content += rest[..<start.lowerBound] }
                calls.append(call)
            } else {
                content += rest[..<end.upperBound]
            }
            rest = rest[end.upperBound...]
        }
        if calls.isEmpty { return (output, []) }
        return (content.trimmingCharacters(in: .whitespacesAndNewlines), calls)
    }

    private static func call(from body: Substring) -> Call? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)),
            let name = value["name"]?.stringValue
        else { return nil }
        let arguments = value["arguments"] ?? .object([:], order: [])
        guard case .object = arguments else { return nil }
        return Call(name: name, arguments: JSONSchemaGrammar.jsonText(arguments))
    }
}
