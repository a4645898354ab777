/// One strategy's result in one run, in micro-credits.
public struct StrategyPayoff: Sendable, Hashable {
    /// Which side of the market played the strategy.
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case provider
        case consumer
    }

    /// The side of the market.
    public let role: Role
    /// The strategy's name, as ``ProviderStrategy/name`` or ``ConsumerStrategy/name`` gives it.
    public let strategy: String
    /// How many participants played it.
    public let participants: Int
    /// Their payoffs added up over the whole run.
    public let totalPayoff: Int64
    /// The average payoff of one participant in one period.
    public let payoffPerPeriod: Double

    public init(role: Role, strategy: String, participants: Int, totalPayoff: Int64, payoffPerPeriod: Double) {
        self.role = role
        self.strategy = strategy
        self.participants = participants
        self.totalPayoff = totalPayoff
        self.payoffPerPeriod = payoffPerPeriod
    }
}
