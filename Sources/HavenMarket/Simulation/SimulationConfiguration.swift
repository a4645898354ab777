/// What a storage-market simulation plays: the contract parameters, the economics, who plays
/// which strategy, and for how long.
///
/// Provider `i` plays `providerStrategies[i % count]`, consumer `j` plays
/// `consumerStrategies[j % count]`. Each provider has `consumerCount / providerCount` contract
/// slots, and every slot freed by an ending contract is refilled at the next period by a
/// consumer drawn at random: demand meets supply, so a caught cheater loses its penalties but
/// not its business, which makes the simulation a conservative test of the parameters.
public struct SimulationConfiguration: Sendable, Hashable {
    /// The conditions of every contract.
    public var parameters: MarketParameters
    /// Price, storage cost and the data's value, per GiB per period.
    public var economics: MarketEconomics
    /// The provider strategies in play, without repeats.
    public var providerStrategies: [ProviderStrategy]
    /// The consumer strategies in play, without repeats.
    public var consumerStrategies: [ConsumerStrategy]
    /// How many providers play.
    public var providerCount: Int
    /// How many consumers play; a multiple of `providerCount`.
    public var consumerCount: Int
    /// How many periods the market runs.
    public var periods: Int
    /// The range each consumer's data size, in GiB, is drawn from uniformly.
    public var storedGiB: ClosedRange<UInt64>

    public init(
        parameters: MarketParameters = .default,
        economics: MarketEconomics = .reference,
        providerStrategies: [ProviderStrategy] = ProviderStrategy.standardSet,
        consumerStrategies: [ConsumerStrategy] = ConsumerStrategy.standardSet,
        providerCount: Int = 12,
        consumerCount: Int = 48,
        periods: Int = 120,
        storedGiB: ClosedRange<UInt64> = 1...64
    ) {
        self.parameters = parameters
        self.economics = economics
        self.providerStrategies = providerStrategies
        self.consumerStrategies = consumerStrategies
        self.providerCount = providerCount
        self.consumerCount = consumerCount
        self.periods = periods
        self.storedGiB = storedGiB
    }

    /// Contract slots per provider.
    public var slotsPerProvider: Int { providerCount > 0 ? consumerCount / providerCount : 0 }

    /// Throws unless the configuration can be played.
    public func validate() throws(SimulationError) {
        guard !providerStrategies.isEmpty, !consumerStrategies.isEmpty else {
            throw .invalidConfiguration("at least one provider and one consumer strategy")
        }
        guard Set(providerStrategies).count == providerStrategies.count,
            Set(consumerStrategies).count == consumerStrategies.count
        else { throw .invalidConfiguration("a strategy is listed twice") }
        for case .dropFraction(let fraction) in providerStrategies where !(fraction > 0 && fraction <= 1) {
            throw .invalidConfiguration("a dropped fraction lies in (0, 1]")
        }
        guard providerCount >= providerStrategies.count else {
            throw .invalidConfiguration("at least one provider per strategy (\(providerStrategies.count))")
        }
        guard consumerCount >= consumerStrategies.count else {
            throw .invalidConfiguration("at least one consumer per strategy (\(consumerStrategies.count))")
        }
        guard consumerCount % providerCount == 0 else {
            throw .invalidConfiguration("the consumer count must be a multiple of the provider count")
        }
        guard periods > 0 else { throw .invalidConfiguration("at least one period") }
        guard storedGiB.lowerBound > 0, storedGiB.upperBound <= 1 << 20 else {
            throw .invalidConfiguration("stored data lies between 1 GiB and 1 PiB")
        }
        do throws(MarketParametersError) {
            try parameters.validate()
            try economics.validate()
        } catch {
            throw .settlement(error)
        }
    }
}
