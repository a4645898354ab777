/// A way to break a storage contract for gain, as the parameter derivation and the deterrence
/// check consider it.
public enum CheatingStrategy: Sendable, Hashable {
    /// The provider silently drops `fraction` (0 < f ≤ 1) of the shard; each challenge then
    /// fails with probability `fraction`.
    case dropFraction(Double)
    /// The provider keeps no copy and answers from another provider's replica; replicas are
    /// encrypted under different keys, so every answer fails.
    case answerFromOthersCopy
    /// The provider keeps nothing and does not answer; the first challenge fails.
    case notAnswering
    /// The consumer files a dispute although the provider holds the data, hoping the provider
    /// misses the answer.
    case falseDispute

    /// What the cheat is called in tables and files.
    public var name: String {
        switch self {
        case .dropFraction(let fraction): "drop \(PercentText.of(fraction))"
        case .answerFromOthersCopy: "answer from other's copy"
        case .notAnswering: "not answering"
        case .falseDispute: "false dispute"
        }
    }
}

/// Short percentage text without Foundation: 0.05 → "5%", 0.005 → "0.5%".
enum PercentText {
    static func of(_ fraction: Double) -> String {
        let tenths = (fraction * 1000).rounded()
        let whole = Int(tenths) / 10
        let rest = Int(tenths) % 10
        return rest == 0 ? "\(whole)%" : "\(whole).\(rest)%"
    }
}
