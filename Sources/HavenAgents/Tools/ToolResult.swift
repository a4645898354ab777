import HavenInference

/// What a tool call gave back: text for the model (or MCP client), structured content when
/// there is some, and whether it is an error the caller should see as such.
public struct ToolResult: Sendable, Equatable {
    public let text: String
    public let content: JSONValue?
    public let isError: Bool

    public init(text: String, content: JSONValue? = nil, isError: Bool = false) {
        self.text = text
        self.content = content
        self.isError = isError
    }

    public static func error(_ message: String) -> ToolResult {
        ToolResult(text: message, isError: true)
    }
}
