/// An answer under way: its deltas as the backend produces them, in order per choice.
/// Dropping the stream (a client that went away) stops the generation.
struct ChatStream: Sendable {
    let deltas: AsyncThrowingStream<ChatDelta, any Error>
    /// The answers asked for.
    let choices: Int
    /// The prompt's tokens, when known before the answer (a local engine tokenised it).
    let promptTokens: Int?
}
