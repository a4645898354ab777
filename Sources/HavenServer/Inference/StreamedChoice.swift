import HavenInference

/// One choice of a streamed chat completion: turns its generation's steps into chunk
/// choices — text as content deltas, and, with tools on offer, each call as OpenAI streams it
/// (a first delta with its id and name, then argument fragments as they are generated) — with
/// the log-probabilities of the tokens behind them when asked for.
struct StreamedChoice: Sendable {
    private var parser: ToolCallStream?
    private let logprobs: Bool
    /// Tokens whose text has not appeared in a delta yet (held while it might start a call).
    private var pendingLogprobs: [TokenLogprob] = []

    init(plan: ChatPlan, logprobs: Bool) {
        parser = plan.tools.isEmpty ? nil : ToolCallStream()
        self.logprobs = logprobs
    }

    /// The chunk choices that `step` of choice `index` makes: none while text is held.
    mutating func choices(for step: GenerationStep, index: Int) -> [ChatCompletionChunk.Choice] {
        var deltas: [ChatCompletionChunk.Delta] = []
        var finishReason: String?
        switch step {
        case .text(let piece, let tokens):
            if logprobs { pendingLogprobs += tokens }
            if var parser {
                deltas = parser.append(piece).map(Self.delta)
                self.parser = parser
            } else if !piece.isEmpty {
                deltas = [.init(content: piece)]
            }
        case .finished(let summary):
            if var parser {
                deltas = parser.finish().map(Self.delta)
                self.parser = parser
            }
            finishReason = (parser?.callCount ?? 0) > 0 ? "tool_calls" : summary.finishReason.rawValue
        }
        var choices = deltas.map { ChatCompletionChunk.Choice(index: index, delta: $0, finishReason: nil) }
        if let finishReason { choices.append(.init(index: index, delta: .init(), finishReason: finishReason)) }
        if !pendingLogprobs.isEmpty, !choices.isEmpty {
            choices[0].logprobs = ChatLogprobs(pendingLogprobs)
            pendingLogprobs = []
        }
        return choices
    }

    static func delta(_ event: ToolCallStream.Event) -> ChatCompletionChunk.Delta {
        switch event {
        case .text(let text):
            return .init(content: text)
        case .callStarted(let index, let name):
            return .init(toolCalls: [.start(index: index, id: InferenceService.completionID(prefix: "call"), name: name)])
        case .arguments(let index, let fragment):
            return .init(toolCalls: [.arguments(index: index, fragment)])
        }
    }
}
