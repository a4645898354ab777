import HavenInference

/// One choice of a local generation as message-level deltas: text as content, and, with tools
/// on offer, each call as it is generated (its id and name first, then argument fragments),
/// read by ``ToolCallStream``; the log-probabilities of the tokens behind each delta just
/// before it, when asked for. Pure: steps in, deltas out.
struct ChoiceDeltas: Sendable {
    private var parser: ToolCallStream?
    private let logprobs: Bool
    private let choice: Int
    /// Tokens whose text has not appeared in a delta yet (held while it might start a call).
    private var pendingLogprobs: [TokenLogprob] = []

    init(choice: Int, tools: Bool, logprobs: Bool) {
        self.choice = choice
        parser = tools ? ToolCallStream() : nil
        self.logprobs = logprobs
    }

    /// The deltas `step` makes: none while text is held.
    mutating func deltas(for step: GenerationStep) -> [ChatDelta] {
        var deltas: [ChatDelta] = []
        switch step {
        case .text(let piece, let tokens):
            if logprobs { pendingLogprobs += tokens }
            if var parser {
                deltas = parser.append(piece).map(delta)
                self.parser = parser
            } else if !piece.isEmpty {
                deltas = [.content(choice: choice, piece)]
            }
        case .finished(let summary):
            if var parser {
                deltas = parser.finish().map(delta)
                self.parser = parser
            }
            let reason = (parser?.callCount ?? 0) > 0 ? "tool_calls" : summary.finishReason.rawValue
            deltas.append(.finished(choice: choice, reason: reason))
        }
        if !pendingLogprobs.isEmpty, !deltas.isEmpty {
            deltas.insert(.logprobs(choice: choice, pendingLogprobs), at: 0)
            pendingLogprobs = []
        }
        return deltas
    }

    private func delta(_ event: ToolCallStream.Event) -> ChatDelta {
        switch event {
        case .text(let text):
            return .content(choice: choice, text)
        case .callStarted(let index, let name):
            return .toolCall(
                choice: choice, call: index, id: InferenceService.completionID(prefix: "call"), name: name, arguments: "")
        case .arguments(let index, let fragment):
            return .toolCall(choice: choice, call: index, id: nil, name: nil, arguments: fragment)
        }
    }
}
