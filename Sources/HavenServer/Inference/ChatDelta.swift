import HavenInference

/// One step of a chat answer at the message level, as every backend streams it: text, a piece
/// of a tool call, the end of a choice, or the token counts. Local engines and upstream
/// servers both answer in these, so the APIs above them need not know which one ran.
enum ChatDelta: Sendable, Equatable {
    /// Text of choice `choice`.
    case content(choice: Int, String)
    /// A piece of tool call `call` of choice `choice`: its id and name come with its first
    /// piece, argument text with any.
    case toolCall(choice: Int, call: Int, id: String?, name: String?, arguments: String)
    /// Choice `choice` ended: "stop", "length" or "tool_calls".
    case finished(choice: Int, reason: String)
    /// Token counts for the whole request.
    case usage(promptTokens: Int, completionTokens: Int, cachedTokens: Int)
    /// The log-probabilities of the tokens behind the next delta of choice `choice` (sent just
    /// before it, when they were asked for and the backend has them).
    case logprobs(choice: Int, [TokenLogprob])
}

/// A whole chat answer put together from its deltas: what a non-streaming API returns.
struct ChatAnswer: Sendable, Equatable {
    struct Call: Sendable, Equatable {
        var id: String
        var name: String
        var arguments: String
    }
    struct Choice: Sendable, Equatable {
        var content = ""
        var calls: [Call] = []
        var finishReason = "stop"
        /// The tokens' log-probabilities, when asked for.
        var logprobs: [TokenLogprob] = []
    }
    var choices: [Choice] = []
    var promptTokens = 0
    var completionTokens = 0
    var cachedTokens = 0

    /// Adds one delta.
    mutating func add(_ delta: ChatDelta) {
        func ensure(_ choice: Int) {
            while choices.count <= choice { choices.append(Choice()) }
        }
        switch delta {
        case .content(let choice, let text):
            ensure(choice)
            choices[choice].content += text
        case .toolCall(let choice, let call, let id, let name, let arguments):
            ensure(choice)
            while choices[choice].calls.count <= call {
                choices[choice].calls.append(Call(id: InferenceService.completionID(prefix: "call"), name: "", arguments: ""))
            }
            if let id, !id.isEmpty { choices[choice].calls[call].id = id }
            if let name { choices[choice].calls[call].name += name }
            choices[choice].calls[call].arguments += arguments
        case .finished(let choice, let reason):
            ensure(choice)
            choices[choice].finishReason = reason
        case .usage(let prompt, let completion, let cached):
            promptTokens = prompt
            completionTokens = completion
            cachedTokens = cached
        case .logprobs(let choice, let tokens):
            ensure(choice)
            choices[choice].logprobs += tokens
        }
    }

    /// The answer of a whole stream of deltas.
    static func collect(_ deltas: AsyncThrowingStream<ChatDelta, any Error>) async throws -> ChatAnswer {
        var answer = ChatAnswer()
        for try await delta in deltas { answer.add(delta) }
        if answer.choices.isEmpty { answer.choices = [Choice()] }
        return answer
    }
}
