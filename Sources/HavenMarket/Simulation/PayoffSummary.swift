/// One strategy's payoff per period across many seeds: the mean, and the lowest and highest
/// single-seed values (the whiskers of the chart).
public struct PayoffSummary: Sendable, Hashable {
    /// The side of the market.
    public let role: StrategyPayoff.Role
    /// The strategy's name.
    public let strategy: String
    /// How many runs were summarised.
    public let runs: Int
    /// The mean of the per-run payoffs per period.
    public let mean: Double
    /// The lowest per-run payoff per period.
    public let minimum: Double
    /// The highest per-run payoff per period.
    public let maximum: Double

    /// Summarises `reports`, one entry per strategy in the order the reports list them.
    public static func summarizing(_ reports: [SimulationReport]) -> [PayoffSummary] {
        guard let first = reports.first else { return [] }
        let keys = (first.providers + first.consumers).map { ($0.role, $0.strategy) }
        return keys.map { role, strategy in
            let values = reports.flatMap { $0.providers + $0.consumers }
                .filter { $0.role == role && $0.strategy == strategy }
                .map(\.payoffPerPeriod)
            return PayoffSummary(
                role: role, strategy: strategy, runs: values.count,
                mean: values.reduce(0, +) / Double(values.count),
                minimum: values.min() ?? 0, maximum: values.max() ?? 0
            )
        }
    }
}
