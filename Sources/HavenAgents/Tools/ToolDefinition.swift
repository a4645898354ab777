import HavenInference

/// A tool as models and MCP clients see it: a name, what it does, and a JSON Schema for its
/// arguments.
public struct ToolDefinition: Sendable, Equatable {
    public let name: String
    public let description: String
    public let parameters: JSONValue

    public init(name: String, description: String, parameters: JSONValue) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}
