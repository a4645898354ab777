import HavenAgents
import HavenInference

/// The ``ToolBox`` a server has until the real one is wired in: it offers the built-in tools so
/// clients can see them, and answers every call with an error result saying the tool is not
/// available yet. It never touches data, so it needs no access checks.
public struct UnavailableToolBox: ToolBox {
    public let definitions: [ToolDefinition]

    public init(definitions: [ToolDefinition] = BuiltInTools.all) {
        self.definitions = definitions
    }

    public func call(_ name: String, arguments: JSONValue, for caller: ToolCaller) async throws -> ToolResult {
        guard definitions.contains(where: { $0.name == name }) else {
            return .error("there is no tool named '\(name)'")
        }
        return .error("the '\(name)' tool is not available yet on this server")
    }
}
