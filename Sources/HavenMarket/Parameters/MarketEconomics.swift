/// The prices the market's parameters are derived for, per GiB per period, in micro-credits:
/// what the consumer pays, what storing costs the provider, and what the stored data is worth
/// to the consumer (used only to score consumers in the simulation).
public struct MarketEconomics: Sendable, Hashable {
    /// The contract price of one GiB for one period.
    public var pricePerGiBPerPeriod: Int64
    /// The provider's real cost of keeping one GiB for one period (disk, power, bandwidth).
    public var storageCostPerGiBPerPeriod: Int64
    /// What keeping one GiB for one period is worth to the consumer.
    public var valuePerGiBPerPeriod: Int64

    /// A price of 0.001 credits per GiB-day, half of it the provider's cost, the data worth
    /// twice its price to the consumer: the defaults the documentation's numbers use.
    public static let reference = MarketEconomics(
        pricePerGiBPerPeriod: 1_000, storageCostPerGiBPerPeriod: 500, valuePerGiBPerPeriod: 2_000
    )

    public init(pricePerGiBPerPeriod: Int64, storageCostPerGiBPerPeriod: Int64, valuePerGiBPerPeriod: Int64) {
        self.pricePerGiBPerPeriod = pricePerGiBPerPeriod
        self.storageCostPerGiBPerPeriod = storageCostPerGiBPerPeriod
        self.valuePerGiBPerPeriod = valuePerGiBPerPeriod
    }

    /// Throws unless the price covers the cost and every amount is positive.
    public func validate() throws(MarketParametersError) {
        guard storageCostPerGiBPerPeriod > 0 else { throw .invalid("the storage cost must be positive") }
        guard pricePerGiBPerPeriod > storageCostPerGiBPerPeriod else {
            throw .invalid("the price must exceed the storage cost, or no honest provider sells")
        }
        guard valuePerGiBPerPeriod >= 0 else { throw .invalid("the data's value cannot be negative") }
    }
}
