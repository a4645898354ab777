import Foundation

/// Summed negative log-likelihood over scored tokens: `exp(mean)` is the perplexity, the
/// figure a training job reports for held-out and control text.
public struct Perplexity: Sendable, Equatable, Codable {
    public private(set) var negativeLogLikelihood: Double = 0
    public private(set) var tokens: Int = 0

    public init() {}

    public init(negativeLogLikelihood: Double, tokens: Int) {
        self.negativeLogLikelihood = negativeLogLikelihood
        self.tokens = tokens
    }

    mutating func add(logprob: Double) {
        negativeLogLikelihood -= logprob
        tokens += 1
    }

    /// `exp(nll / tokens)`; `nil` when nothing was scored.
    public var value: Double? {
        tokens > 0 ? exp(negativeLogLikelihood / Double(tokens)) : nil
    }
}
