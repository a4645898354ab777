/// What one simulation run produced: each strategy's payoff, and the totals that show no
/// credit was created or lost.
public struct SimulationReport: Sendable, Hashable {
    /// The seed that replays this run.
    public let seed: UInt64
    /// How many periods were played.
    public let periods: Int
    /// One entry per provider strategy, in the configuration's order.
    public let providers: [StrategyPayoff]
    /// One entry per consumer strategy, in the configuration's order.
    public let consumers: [StrategyPayoff]
    /// The real surplus created: the value of data kept minus the storage cost spent.
    public let surplus: Int64
    /// Held-back payments of contracts still running: paid by consumers, not yet released.
    public let escrowOutstanding: Int64
    /// Contracts ended by a failed period.
    public let breaches: Int
    /// Disputes the provider answered correctly, each costing its consumer the bond.
    public let bondsLost: Int

    public init(
        seed: UInt64, periods: Int, providers: [StrategyPayoff], consumers: [StrategyPayoff],
        surplus: Int64, escrowOutstanding: Int64, breaches: Int, bondsLost: Int
    ) {
        self.seed = seed
        self.periods = periods
        self.providers = providers
        self.consumers = consumers
        self.surplus = surplus
        self.escrowOutstanding = escrowOutstanding
        self.breaches = breaches
        self.bondsLost = bondsLost
    }

    /// The sum of every participant's payoff.
    public var totalPayoff: Int64 {
        (providers + consumers).reduce(0) { $0 + $1.totalPayoff }
    }

    /// Whether payoffs plus escrow equal the surplus exactly: money only moved between parties.
    public var isConserved: Bool { totalPayoff + escrowOutstanding == surplus }

    /// The average payoff per period of the providers playing `strategy`, if any did.
    public func payoffPerPeriod(of strategy: ProviderStrategy) -> Double? {
        providers.first { $0.strategy == strategy.name }?.payoffPerPeriod
    }

    /// The average payoff per period of the consumers playing `strategy`, if any did.
    public func payoffPerPeriod(of strategy: ConsumerStrategy) -> Double? {
        consumers.first { $0.strategy == strategy.name }?.payoffPerPeriod
    }
}
