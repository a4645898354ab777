import HavenInference

/// What happens while an agent works, in order, for streaming to a client.
public enum AgentEvent: Sendable, Equatable {
    /// The model asked for a tool.
    case toolCall(step: Int, name: String, arguments: String)
    /// The tool answered (or refused).
    case toolResult(step: Int, name: String, text: String, isError: Bool)
    /// The final answer.
    case answer(String)
}
