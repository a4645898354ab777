/// How a simulated provider treats the data it is paid to store.
public enum ProviderStrategy: Sendable, Hashable {
    /// Keeps every shard and answers every challenge.
    case honest
    /// Silently drops a fraction (0 < f ≤ 1) of every shard it stores.
    case dropFraction(Double)
    /// Keeps nothing and answers from another provider's replica, which is encrypted under a
    /// different key, so every answer fails.
    case answerFromOthersCopy
    /// Keeps nothing and does not answer.
    case notAnswering

    /// The strategies the documentation's figures compare, honest first.
    public static let standardSet: [ProviderStrategy] = [
        .honest, .dropFraction(0.01), .dropFraction(0.1), .dropFraction(0.5), .answerFromOthersCopy, .notAnswering,
    ]

    /// What the strategy is called in tables and files.
    public var name: String {
        switch self {
        case .honest: "honest"
        case .dropFraction(let fraction): "drop \(PercentText.of(fraction))"
        case .answerFromOthersCopy: "answer from other's copy"
        case .notAnswering: "not answering"
        }
    }

    /// The share of the data the provider does not keep: it saves that share of the storage
    /// cost, and that share of the data is worth nothing to the consumer.
    public var droppedFraction: Double {
        switch self {
        case .honest: 0
        case .dropFraction(let fraction): fraction
        case .answerFromOthersCopy, .notAnswering: 1
        }
    }

    /// The cheat this strategy is, for the deterrence check; `nil` when honest.
    public var cheat: CheatingStrategy? {
        switch self {
        case .honest: nil
        case .dropFraction(let fraction): .dropFraction(fraction)
        case .answerFromOthersCopy: .answerFromOthersCopy
        case .notAnswering: .notAnswering
        }
    }

    /// The probability that this provider passes all of `challenges` answers in a period.
    public func passProbability(challenges: UInt64) -> Double {
        ChallengeOdds.allPass(droppedFraction: droppedFraction, challenges: challenges)
    }
}
