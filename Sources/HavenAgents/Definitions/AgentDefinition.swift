import Foundation

/// An agent, as its TOML file in `$HAVEN_HOME/agents/` describes it:
///
/// ```toml
/// name = "assistant"
/// description = "Answers questions over your notes and files."
/// instructions = "You are Haven's assistant…"
/// model = "smollm2-135m-instruct-q4_1"    # optional: the first installed model
/// tools = ["search", "read", "list", "write_note", "remember", "recall"]
/// scopes = ["/"]                           # path prefixes it may touch
/// max_steps = 6
/// tool_choice = "auto"                     # "required": the first step must call a tool
/// ```
public struct AgentDefinition: Sendable, Equatable, Codable {
    public let name: String
    public let description: String
    public let instructions: String
    public let model: String?
    public let tools: [String]
    public let scopes: [String]
    public let maxSteps: Int
    /// Whether the first step must call a tool (held to it by the grammar), which makes small
    /// models look things up instead of guessing.
    public let requiresTool: Bool

    public init(
        name: String, description: String, instructions: String, model: String?, tools: [String], scopes: [String],
        maxSteps: Int, requiresTool: Bool = false
    ) {
        self.name = name
        self.description = description
        self.instructions = instructions
        self.model = model
        self.tools = tools
        self.scopes = scopes
        self.maxSteps = maxSteps
        self.requiresTool = requiresTool
    }

    enum CodingKeys: String, CodingKey {
        case name, description, instructions, model, tools, scopes
        case maxSteps = "max_steps"
        case requiresTool = "requires_tool"
    }

    /// Parses and validates an agent file; every problem is named.
    public init(toml text: String, knownTools: [String]) throws(AgentError) {
        let table = try AgentFileParser.parse(text)
        let known: Set<String> = ["name", "description", "instructions", "model", "tools", "scopes", "max_steps", "tool_choice"]
        if let unknown = table.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalidDefinition("unknown key '\(unknown)'; keys are \(known.sorted().joined(separator: ", "))")
        }
        func string(_ key: String, required: Bool) throws(AgentError) -> String? {
            guard let value = table[key] else {
                if required { throw .invalidDefinition("'\(key)' is required") }
                return nil
            }
            guard let text = value.string, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw .invalidDefinition("'\(key)' must be a non-empty string")
            }
            return text
        }
        func strings(_ key: String) throws(AgentError) -> [String]? {
            guard let value = table[key] else { return nil }
            guard let array = value.array else { throw .invalidDefinition("'\(key)' must be an array of strings") }
            var items: [String] = []
            for item in array {
                guard let text = item.string else { throw .invalidDefinition("'\(key)' must be an array of strings") }
                items.append(text)
            }
            return items
        }
        let name = try string("name", required: true)!
        guard name.range(of: #"^[a-z0-9][a-z0-9_-]{0,62}$"#, options: .regularExpression) != nil else {
            throw .invalidDefinition("name '\(name)' must be lowercase letters, digits, '-' or '_' (at most 63)")
        }
        let tools = try strings("tools") ?? knownTools
        if let unknown = tools.first(where: { !knownTools.contains($0) }) {
            throw .invalidDefinition("unknown tool '\(unknown)'; tools are \(knownTools.joined(separator: ", "))")
        }
        let scopes = try strings("scopes") ?? ["/"]
        guard !scopes.isEmpty, scopes.allSatisfy({ $0.hasPrefix("/") && !$0.contains("..") && !$0.contains("//") }) else {
            throw .invalidDefinition("scopes must be absolute data paths such as \"/notes/\"")
        }
        var maxSteps = 6
        if let value = table["max_steps"] {
            guard let steps = value.integer, (1...32).contains(steps) else {
                throw .invalidDefinition("'max_steps' must be a whole number from 1 to 32")
            }
            maxSteps = steps
        }
        let choice = try string("tool_choice", required: false) ?? "auto"
        guard choice == "auto" || choice == "required" else {
            throw .invalidDefinition("'tool_choice' is \"auto\" or \"required\", not \"\(choice)\"")
        }
        self.init(
            name: name, description: try string("description", required: false) ?? "",
            instructions: try string("instructions", required: true)!, model: try string("model", required: false),
            tools: tools, scopes: scopes, maxSteps: maxSteps, requiresTool: choice == "required")
    }

    /// The agent `haven init` installs.
    public static let assistantTOML = """
        # Haven's default agent. Edit this file, or add your own with 'haven agent add FILE'.
        name = "assistant"
        description = "Answers questions over your notes and files, and keeps notes for you."
        instructions = \"\"\"
        You are Haven's assistant, working for the person who asks. Use the tools to look things \\
        up in their files before answering: search finds passages, read opens a file, list shows \\
        a folder. Save something for later with write_note, and keep short facts with remember \\
        and recall. Answer briefly and say which files you used.\"\"\"
        tools = ["search", "read", "list", "write_note", "remember", "recall"]
        scopes = ["/"]
        max_steps = 6

        """
}
