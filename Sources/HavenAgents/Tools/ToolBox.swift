import HavenInference

/// The built-in tools (`search`, `read`, `list`, `write_note`, `remember`, `recall`), run with
/// the rights of the principal they act for, narrowed to an agent's scopes. Agents and the MCP
/// server both go through here, so every call is decided and audited the same way.
public protocol ToolBox: Sendable {
    /// The tools on offer, in a stable order.
    var definitions: [ToolDefinition] { get }
    /// Runs `name` with `arguments` for `caller`. A refusal or bad argument is a
    /// ``ToolResult`` with `isError`; only a failure of the server itself throws.
    func call(_ name: String, arguments: JSONValue, for caller: ToolCaller) async throws -> ToolResult
}
