import HavenInference

/// One choice of a raw completion: every piece of text as it comes (even an empty one, which
/// still carries its token's log-probability), no calls read.
struct RawChoice: StepReader {
    let choice: Int
    let logprobs: Bool

    func deltas(for step: GenerationStep) -> [ChatDelta] {
        switch step {
        case .text(let piece, let tokens):
            return (logprobs && !tokens.isEmpty ? [.logprobs(choice: choice, tokens)] : []) + [.content(choice: choice, piece)]
        case .finished(let summary):
            return [.finished(choice: choice, reason: summary.finishReason.rawValue)]
        }
    }
}
