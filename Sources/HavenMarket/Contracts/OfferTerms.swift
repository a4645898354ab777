/// The numbers of a storage offer: what a provider sells and on what conditions. Money is in
/// micro-credits (`Int64`); shares are per-mille (1000 = 100 %).
public struct OfferTerms: Sendable, Hashable {
    /// The most bytes one contract on this offer may store.
    public var capacityBytes: UInt64
    /// The price of one GiB (2^30 bytes) for one period, in micro-credits.
    public var pricePerGiBPerPeriod: Int64
    /// The length of one period, in seconds.
    public var periodSeconds: UInt64
    /// The fewest periods a contract may run.
    public var minimumTermPeriods: UInt64
    /// The provider's collateral as a share of the term's value, per-mille; may exceed 1000.
    public var collateralPerMille: UInt64
    /// How many storage challenges the consumer may issue per period.
    public var challengesPerPeriod: UInt64
    /// The share of each period's fee held back until the contract ends well, per-mille.
    public var holdBackPerMille: UInt64

    /// The largest collateral ratio accepted: 100 times the term's value.
    public static let maximumCollateralPerMille: UInt64 = 100_000
    /// The most challenges per period accepted.
    public static let maximumChallengesPerPeriod: UInt64 = 1_000_000

    public init(
        capacityBytes: UInt64, pricePerGiBPerPeriod: Int64, periodSeconds: UInt64, minimumTermPeriods: UInt64,
        collateralPerMille: UInt64, challengesPerPeriod: UInt64, holdBackPerMille: UInt64
    ) {
        self.capacityBytes = capacityBytes
        self.pricePerGiBPerPeriod = pricePerGiBPerPeriod
        self.periodSeconds = periodSeconds
        self.minimumTermPeriods = minimumTermPeriods
        self.collateralPerMille = collateralPerMille
        self.challengesPerPeriod = challengesPerPeriod
        self.holdBackPerMille = holdBackPerMille
    }

    /// Throws unless every number is inside what an offer may say.
    public func validate() throws(ContractError) {
        guard capacityBytes > 0 else { throw .invalidTerms("capacity must be at least one byte") }
        guard pricePerGiBPerPeriod >= 0 else { throw .invalidTerms("the price cannot be negative") }
        guard periodSeconds > 0 else { throw .invalidTerms("a period lasts at least one second") }
        guard minimumTermPeriods > 0 else { throw .invalidTerms("the minimum term is at least one period") }
        guard collateralPerMille <= Self.maximumCollateralPerMille else {
            throw .invalidTerms("collateral is at most \(Self.maximumCollateralPerMille) per-mille")
        }
        guard challengesPerPeriod <= Self.maximumChallengesPerPeriod else {
            throw .invalidTerms("at most \(Self.maximumChallengesPerPeriod) challenges per period")
        }
        guard holdBackPerMille <= 1000 else { throw .invalidTerms("the hold-back share is at most 1000 per-mille") }
    }
}
